CREATE TABLE "former_members" (
	"room_id" text NOT NULL,
	"user_id" text NOT NULL,
	"through_bucket" integer NOT NULL,
	CONSTRAINT "former_members_room_id_user_id_pk" PRIMARY KEY("room_id","user_id")
);
--> statement-breakpoint
ALTER TABLE "former_members" ADD CONSTRAINT "former_members_room_id_rooms_id_fk" FOREIGN KEY ("room_id") REFERENCES "public"."rooms"("id") ON DELETE cascade ON UPDATE no action;
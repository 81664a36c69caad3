CREATE TABLE "disappearing_rooms" (
	"room_id" text PRIMARY KEY NOT NULL,
	"after_ms" bigint NOT NULL,
	"since" bigint NOT NULL,
	"checked_bucket" integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE "disappearing_rooms" ADD CONSTRAINT "disappearing_rooms_room_id_rooms_id_fk" FOREIGN KEY ("room_id") REFERENCES "public"."rooms"("id") ON DELETE cascade ON UPDATE no action;
CREATE TABLE "disappearing_rooms" (
	"room_id" text PRIMARY KEY NOT NULL,
	"after_ms" bigint NOT NULL,
	"since" bigint NOT NULL,
	"checked_bucket" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "group_invites" (
	"token_hash" text PRIMARY KEY NOT NULL,
	"room_id" text NOT NULL,
	"created_by" text NOT NULL,
	"created_at" bigint NOT NULL,
	"revoked_at" bigint
);
--> statement-breakpoint
ALTER TABLE "disappearing_rooms" ADD CONSTRAINT "disappearing_rooms_room_id_rooms_id_fk" FOREIGN KEY ("room_id") REFERENCES "public"."rooms"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "group_invites" ADD CONSTRAINT "group_invites_room_id_rooms_id_fk" FOREIGN KEY ("room_id") REFERENCES "public"."rooms"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "group_invites_room_id_idx" ON "group_invites" USING btree ("room_id");
CREATE TABLE "projection_marks" (
	"room_id" text NOT NULL,
	"bucket" bigint NOT NULL,
	CONSTRAINT "projection_marks_room_id_bucket_pk" PRIMARY KEY("room_id","bucket")
);
--> statement-breakpoint
CREATE TABLE "projection_watermarks" (
	"room_id" text NOT NULL,
	"bucket" bigint NOT NULL,
	"length" bigint NOT NULL,
	"messages" bigint NOT NULL,
	CONSTRAINT "projection_watermarks_room_id_bucket_pk" PRIMARY KEY("room_id","bucket")
);
--> statement-breakpoint
ALTER TABLE "doc_snapshots" ADD COLUMN "covers_id" bigint DEFAULT 0 NOT NULL;
CREATE TABLE "receipt_positions" (
	"room_id" text NOT NULL,
	"user_id" text NOT NULL,
	"delivered_bucket" integer,
	"delivered_index" integer,
	"read_bucket" integer,
	"read_index" integer,
	CONSTRAINT "receipt_positions_room_id_user_id_pk" PRIMARY KEY("room_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "receipt_steps" (
	"room_id" text NOT NULL,
	"bucket" integer NOT NULL,
	"idx" integer NOT NULL,
	"kind" text NOT NULL,
	"user_id" text NOT NULL,
	"at" bigint NOT NULL,
	CONSTRAINT "receipt_steps_room_id_user_id_kind_bucket_idx_pk" PRIMARY KEY("room_id","user_id","kind","bucket","idx")
);

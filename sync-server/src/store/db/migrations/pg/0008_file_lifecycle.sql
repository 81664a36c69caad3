ALTER TABLE "files" ADD COLUMN "referenced_at" bigint;--> statement-breakpoint
ALTER TABLE "files" ADD COLUMN "deleted_at" bigint;--> statement-breakpoint
CREATE INDEX "files_created_at_idx" ON "files" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "files_deleted_at_idx" ON "files" USING btree ("deleted_at");--> statement-breakpoint
CREATE INDEX "files_sha256_idx" ON "files" USING btree ("sha256");--> statement-breakpoint
CREATE INDEX "files_thumb_sha256_idx" ON "files" USING btree ("thumb_sha256");--> statement-breakpoint
-- Files stored before this was recorded may be in messages: they count as sent, never swept as unsent.
UPDATE "files" SET "referenced_at" = "created_at";
ALTER TABLE `senders` ADD `marketing_api` text DEFAULT 'cloud_api' NOT NULL;--> statement-breakpoint
ALTER TABLE `senders` ADD `marketing_product_policy` text DEFAULT 'CLOUD_API_FALLBACK' NOT NULL;--> statement-breakpoint
ALTER TABLE `senders` ADD `marketing_activity_sharing` integer DEFAULT false NOT NULL;
CREATE TABLE `marketing_opt_outs` (
	`account_id` text NOT NULL,
	`subject` text NOT NULL,
	`phone` text,
	`user_id` text,
	`state` text NOT NULL,
	`at` integer NOT NULL,
	`source` text NOT NULL,
	`detail` text NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	PRIMARY KEY(`account_id`, `subject`),
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `marketing_opt_outs_state_idx` ON `marketing_opt_outs` (`account_id`,`state`,`at`);--> statement-breakpoint
ALTER TABLE `accounts` ADD `block_us_marketing` integer DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE `accounts` ADD `pause_on_red_quality` integer DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE `templates` ADD `quality_score` text;
CREATE TABLE `rate_cards` (
	`currency` text NOT NULL,
	`effective` text NOT NULL,
	`source` text NOT NULL,
	`markets` text NOT NULL,
	`loaded_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	PRIMARY KEY(`currency`, `effective`)
);
--> statement-breakpoint
CREATE TABLE `usage` (
	`account_id` text NOT NULL,
	`broadcast_id` text NOT NULL,
	`day` text NOT NULL,
	`calling_code` text NOT NULL,
	`category` text NOT NULL,
	`type` text NOT NULL,
	`billable` integer NOT NULL,
	`messages` integer NOT NULL,
	PRIMARY KEY(`broadcast_id`, `day`, `calling_code`, `category`, `type`, `billable`),
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `usage_account_day_idx` ON `usage` (`account_id`,`day`);
CREATE TABLE `recipient_states` (
	`broadcast_id` text NOT NULL,
	`seq` integer NOT NULL,
	`account_id` text NOT NULL,
	`phone_number_id` text NOT NULL,
	`identifier` text NOT NULL,
	`client_reference` text,
	`name` text,
	`wamid` text,
	`status` text NOT NULL,
	`error` text,
	`error_code` integer,
	`submitted_at` text,
	`delivered_at` text,
	`read_at` text,
	`replied_at` text,
	`reply_text` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	PRIMARY KEY(`broadcast_id`, `seq`)
);
--> statement-breakpoint
CREATE INDEX `recipient_states_account_ref_idx` ON `recipient_states` (`account_id`,`client_reference`);--> statement-breakpoint
CREATE INDEX `recipient_states_account_updated_idx` ON `recipient_states` (`account_id`,`updated_at`);--> statement-breakpoint
CREATE INDEX `recipient_states_wamid_idx` ON `recipient_states` (`wamid`);--> statement-breakpoint
CREATE INDEX `recipient_states_reply_idx` ON `recipient_states` (`phone_number_id`,`identifier`,`submitted_at`);
import type { ChildProcess } from "node:child_process";

export interface StackOptions {
  apiPort: number;
  sandboxPort: number;
  stateDir: string | undefined;
  quiet: boolean;
  apiVars: Record<string, string>;
}
export function devVars(): Record<string, string>;
export function stackOptions(overrides?: Partial<StackOptions>): StackOptions;
export function prepare(options: StackOptions): void;
export function sandboxArgs(options: StackOptions, secrets: Record<string, string>): string[];
export function apiArgs(options: StackOptions): string[];
export function startWrangler(args: string[], onLine: (line: string) => void): ChildProcess;
export function waitFor(url: string, timeoutMs?: number): Promise<void>;
export function seed(options: StackOptions, secrets: Record<string, string>): Promise<unknown>;
export function killGroups(children: (ChildProcess | null)[], signal?: NodeJS.Signals): void;
export function startStack(
  options: StackOptions,
  hooks?: {
    secrets?: Record<string, string>;
    onLine?: (name: "sandbox" | "api", line: string) => void;
    onChild?: (name: "sandbox" | "api", child: ChildProcess) => void;
    apiTimeoutMs?: number;
  },
): Promise<{ sandbox: ChildProcess; api: ChildProcess; seeded: unknown }>;
export function combinedStack(
  options: StackOptions,
  secrets: Record<string, string>,
  apiVars?: Record<string, string>,
  sendsBatchSize?: number | null,
): string[];

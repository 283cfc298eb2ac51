/**
 * The main thread's side of the parse worker: one worker per page, started on
 * the first parse, answering each request by its id.
 */
import type { ParseQuery, ParseResponse, Table } from "./types";

export type { Table } from "./types";

let worker: Worker | null = null;
let nextId = 1;
const waiting = new Map<number, { resolve: (t: Table) => void; reject: (e: Error) => void }>();

function theWorker(): Worker {
  if (worker) return worker;
  // A sibling bundle built by scripts/build-dashboard.mjs; same origin, as the CSP wants.
  worker = new Worker(new URL("./parse-worker.js", document.baseURI), { type: "module" });
  worker.addEventListener("message", (event: MessageEvent<ParseResponse>) => {
    const answer = event.data;
    const pending = waiting.get(answer.id);
    waiting.delete(answer.id);
    if ("table" in answer) pending?.resolve(answer.table);
    else pending?.reject(new Error(answer.error));
  });
  worker.addEventListener("error", (event) => {
    for (const pending of waiting.values()) pending.reject(new Error(event.message));
    waiting.clear();
  });
  return worker;
}

function ask(request: ParseQuery): Promise<Table> {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    waiting.set(id, { resolve, reject });
    theWorker().postMessage({ ...request, id });
  });
}

export const parseFile = (file: File) => ask({ kind: "file", file });
export const parseText = (text: string) => ask({ kind: "text", text });

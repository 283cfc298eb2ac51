/**
 * `npm run bench [-- domain-validate|create|dispatch|webhooks ...]`: runs the named benchmarks
 * (all of them by default), one after another, against `npm run dev` (`scaling` needs no server:
 * it runs the real stores over node:sqlite).
 */
const all = ["domain-validate", "create", "dispatch", "webhooks", "capacity", "scaling"];
const chosen = process.argv.slice(2).filter((a) => all.includes(a));
for (const name of chosen.length ? chosen : all) {
  console.log(`\n== bench: ${name} ==`);
  await import(`./${name}.ts`);
}

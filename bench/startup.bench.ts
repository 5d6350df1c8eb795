// `npm run bench -- startup` (GitHub issue 15): how long `catalog-sync` takes to start, beside
// `node -e 0` measured in the same run. Each command runs STARTUP_RUNS times (default 15), each in
// a fresh process through bin/catalog-sync.js as a user runs it, and is timed from spawn to exit;
// the runs alternate between the commands so a load change on the machine touches all alike. Then
// one more run of each, with a preload that writes the process's peak RSS and CPU time at exit.
// Commands: `--help`; `status` in a folder holding a copy of the demo configuration and no state
// file; `status` after `plan` has created the state file there. `STARTUP_UNBUNDLED=1` adds the same
// commands run from the tsc output (dist/cli/main.js) instead of the bundle, for comparison.
// Needs `npm run build` first.
import { spawnSync } from "node:child_process"
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { loadavg, tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

const RUNS = Number(process.env.STARTUP_RUNS ?? 15)
const root = fileURLToPath(new URL("..", import.meta.url))
const bin = join(root, "bin", "catalog-sync.js")
const unbundled = join(root, "dist", "cli", "main.js")
const goalMs = 300

if (!existsSync(join(root, "bundle", "cli.js"))) {
  console.error("bundle/cli.js is missing: run `npm run build` first")
  process.exit(1)
}

// Two folders with the demo configuration: one keeps no state, the other gets one from `plan`.
const tmp = mkdtempSync(join(tmpdir(), "catalog-sync-startup-"))
const folder = (name: string) => {
  const dir = join(tmp, name)
  mkdirSync(join(dir, "fixtures"), { recursive: true })
  mkdirSync(join(dir, "mappings"))
  cpSync(join(root, "sync.config.ts"), join(dir, "sync.config.ts"))
  cpSync(join(root, "fixtures", "demo-catalog.csv"), join(dir, "fixtures", "demo-catalog.csv"))
  cpSync(join(root, "mappings", "default.ts"), join(dir, "mappings", "default.ts"))
  return dir
}
const empty = folder("empty")
const stateful = folder("stateful")
const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1" }
for (const k of ["PIPEDRIVE_API_TOKEN", "PIPEDRIVE_COMPANY_DOMAIN", "PIPEDRIVE_BASE_URL"]) delete env[k]
const made = spawnSync(process.execPath, [bin, "plan"], { cwd: stateful, env, encoding: "utf8" })
if (!existsSync(join(stateful, ".catalog-sync", "state.db"))) {
  console.error(`\`catalog-sync plan\` created no state file (exit ${made.status}):\n${made.stderr}`)
  process.exit(1)
}

interface Case {
  readonly label: string
  readonly args: ReadonlyArray<string>
  readonly cwd: string
  readonly expect: RegExp
}
const cli = (entry: string, tag: string): Array<Case> => [
  { label: `${tag} --help`, args: [entry, "--help"], cwd: empty, expect: /USAGE/ },
  { label: `${tag} status (no state file)`, args: [entry, "status"], cwd: empty, expect: /No state file yet/ },
  { label: `${tag} status (state file)`, args: [entry, "status"], cwd: stateful, expect: /Last run/ }
]
const cases: Array<Case> = [
  { label: "node -e 0 (baseline)", args: ["-e", "0"], cwd: empty, expect: /^$/ },
  ...cli(bin, "catalog-sync"),
  ...(process.env.STARTUP_UNBUNDLED === "1" ? cli(unbundled, "dist/cli/main.js") : [])
]

const run = (c: Case, preload: ReadonlyArray<string> = []) => {
  const start = process.hrtime.bigint()
  const r = spawnSync(process.execPath, [...preload, ...c.args], { cwd: c.cwd, env, encoding: "utf8" })
  const ms = Number(process.hrtime.bigint() - start) / 1e6
  if (r.status !== 0 || !c.expect.test(r.stdout)) {
    throw new Error(`${c.label}: exit ${r.status}, stdout ${JSON.stringify(r.stdout.slice(0, 200))}, stderr ${JSON.stringify(r.stderr.slice(0, 500))}`)
  }
  return ms
}

try {
  console.log(`${RUNS} runs each, load average ${loadavg()[0]!.toFixed(1)} at the start`)
  const times = new Map(cases.map((c) => [c, [] as Array<number>]))
  run(cases[1]!) // a first run fills the OS file cache
  for (let i = 0; i < RUNS; i++) for (const c of cases) times.get(c)!.push(run(c))

  // Peak RSS and CPU time, from a preload that writes them when the process exits.
  const probe = join(tmp, "probe.cjs")
  writeFileSync(
    probe,
    `process.on("exit", () => { const u = process.resourceUsage(); require("node:fs").writeFileSync(process.env.STARTUP_PROBE, JSON.stringify({ rssKb: u.maxRSS, cpuMs: (u.userCPUTime + u.systemCPUTime) / 1000 })) })\n`
  )
  const probed = (c: Case) => {
    const out = join(tmp, "probe.json")
    env.STARTUP_PROBE = out
    run(c, ["--require", probe])
    return JSON.parse(readFileSync(out, "utf8")) as { rssKb: number; cpuMs: number }
  }

  const median = (xs: ReadonlyArray<number>) => {
    const s = [...xs].sort((a, b) => a - b)
    return s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2
  }
  const base = median(times.get(cases[0]!)!)
  console.log(`\n| command | median ms | min–max ms | minus node -e 0 | peak RSS MB | CPU ms (one run) |`)
  console.log(`| --- | --- | --- | --- | --- | --- |`)
  let missed = 0
  for (const c of cases) {
    const t = times.get(c)!
    const m = median(t)
    const p = probed(c)
    const isCli = c !== cases[0] && c.args[0] === bin
    if (isCli && m > goalMs) missed++
    console.log(
      `| ${c.label} | ${m.toFixed(0)} | ${Math.min(...t).toFixed(0)}–${Math.max(...t).toFixed(0)} | ${c === cases[0] ? "—" : `+${(m - base).toFixed(0)}`} | ${(p.rssKb / 1024).toFixed(0)} | ${p.cpuMs.toFixed(0)} |`
    )
  }
  console.log(`\nGoal: each catalog-sync command ≤ ${goalMs} ms median — ${missed === 0 ? "met" : `missed by ${missed}`}. Load average ${loadavg()[0]!.toFixed(1)} at the end.`)
} finally {
  rmSync(tmp, { recursive: true, force: true })
}

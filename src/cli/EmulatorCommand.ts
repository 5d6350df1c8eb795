/**
 * `catalog-sync emulator`: runs the local Pipedrive API emulator until Ctrl-C (SIGINT/SIGTERM),
 * then closes it cleanly. Prints the base URL, the token, how to point catalog-sync at it (both the
 * base URL and the token) and a curl command to try.
 */
import { Command, Options } from "@effect/cli"
import { FileSystem, Path } from "@effect/platform"
import { Console, Data, Effect, Option } from "effect"
import { randomBytes } from "node:crypto"
import { packageRoot } from "../config/Loader.js"
import * as Emulator from "../emulator/Emulator.js"
import * as Limits from "../emulator/Limits.js"
import * as Seed from "../emulator/Seed.js"
import { emptyAccount } from "./Target.js"

/** The emulator cannot start: a bad seed file, a port in use, … */
export class EmulatorError extends Data.TaggedError("EmulatorError")<{ readonly message: string }> {}

const port = Options.integer("port").pipe(Options.withDefault(0), Options.withDescription("port to listen on (default 0: a free port)"))
const host = Options.text("host").pipe(Options.withDefault("127.0.0.1"), Options.withDescription("address to listen on"))
const token = Options.text("token").pipe(Options.optional, Options.withDescription("the API token to accept (default: a random one, printed)"))
const seed = Options.text("seed").pipe(Options.optional, Options.withDescription("the account to start from: demo (the bundled fixtures/pipedrive-seed.json, the default), empty, or a seed JSON file"))
const plan = Options.choice("plan", ["lite", "growth", "premium", "ultimate"] as const).pipe(
  Options.withDefault("growth" as const),
  Options.withDescription("the Pipedrive plan whose burst limit and daily budget to apply")
)
const burst = Options.integer("burst").pipe(Options.optional, Options.withDescription("requests per 2 s per token (overrides the plan's)"))
const dailyBudget = Options.integer("daily-budget").pipe(Options.optional, Options.withDescription("tokens per UTC day (default: 30,000 × plan multiplier × seats)"))

const loadSeed = (file: string) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const text = yield* fs.readFileString(file).pipe(Effect.mapError((e) => new EmulatorError({ message: `cannot read the seed ${file}: ${e.message}` })))
    const json = yield* Effect.try({ try: () => JSON.parse(text) as unknown, catch: (e) => new EmulatorError({ message: `the seed ${file} is not valid JSON: ${e instanceof Error ? e.message : String(e)}` }) })
    const decoded = Seed.decode(json)
    if (decoded._tag === "Left") return yield* new EmulatorError({ message: `the seed ${file} is not valid:\n${decoded.left}` })
    return decoded.right
  })

export const command = Command.make("emulator", { port, host, token, seed, plan, burst, dailyBudget }, (args) =>
  Effect.gen(function*() {
    const path = yield* Path.Path
    const chosen = Option.getOrElse(args.seed, () => "demo")
    const seedFile = chosen === "empty" ? "empty account" : chosen === "demo" ? path.join(packageRoot, "fixtures", "pipedrive-seed.json") : path.resolve(chosen)
    const account = chosen === "empty" ? emptyAccount : yield* loadSeed(seedFile)
    const apiToken = Option.getOrElse(args.token, () => randomBytes(20).toString("hex"))
    const burstLimit = Option.getOrElse(args.burst, () => Limits.burstByPlan[args.plan])
    const budget = Option.getOrElse(args.dailyBudget, () => Limits.dailyBudgetFor(args.plan, account.users?.length ?? 1))
    const handle = yield* Effect.acquireRelease(
      Effect.tryPromise({
        try: () => Emulator.start({ token: apiToken, seed: account, plan: args.plan, burstLimit, dailyBudget: budget, port: args.port, host: args.host }),
        catch: (e) => new EmulatorError({ message: `the emulator cannot listen on ${args.host}:${args.port}: ${e instanceof Error ? e.message : String(e)}` })
      }),
      (h) => Effect.promise(() => h.close()).pipe(Effect.zipRight(Console.error("\nemulator stopped")))
    )
    yield* Console.log(
      [
        `Pipedrive API emulator listening on ${handle.baseUrl}`,
        `  token    ${apiToken}`,
        `  seed     ${seedFile} (${account.products.length} products, ${account.productFields.length} custom fields, ${account.currencies.length} currencies)`,
        `  limits   ${args.plan}: ${burstLimit} requests / 2 s, search 10 / 2 s, ${budget} tokens per UTC day`,
        `  control  ${handle.baseUrl}/__emulator/stats (also /export, /reset, /seed, /faults — see docs/emulator.md)`,
        "",
        "To sync against it, catalog-sync needs both its address and its token (in another shell):",
        `  export PIPEDRIVE_BASE_URL=${handle.baseUrl}     # or pipedrive: { baseUrl: "${handle.baseUrl}" } in sync.config.ts`,
        `  export PIPEDRIVE_API_TOKEN=${apiToken}`,
        "  catalog-sync plan",
        "(Without PIPEDRIVE_API_TOKEN, catalog-sync starts its own in-process emulator instead of using this one.)",
        "",
        "Try:",
        `  curl -H "x-api-token: ${apiToken}" "${handle.baseUrl}/api/v2/products?limit=5"`,
        "",
        "Press Ctrl-C to stop."
      ].join("\n")
    )
    return yield* Effect.never
  }).pipe(Effect.scoped)
).pipe(
  Command.withDescription(
    "Run a local Pipedrive API emulator (API v2 products, product fields, currencies; auth, rate limits, token budget) to try catalog-sync without a Pipedrive account.\n\nExamples:\n  catalog-sync emulator\n  catalog-sync emulator --port 8787 --token devtoken\n  catalog-sync emulator --seed ./my-seed.json --plan lite\n  catalog-sync emulator --seed empty\n  catalog-sync emulator --burst 5 --daily-budget 1000"
  )
)

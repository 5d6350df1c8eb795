/**
 * Loads `sync.config.ts` (TypeScript, through jiti) from `--config PATH` or the working directory,
 * falling back to the bundled defaults (the demo catalog against the bundled emulator), decodes it
 * and resolves it: paths against the config file's folder, the Pipedrive target from the
 * environment. Every problem is collected and reported at once. Loads the mapping module the
 * configuration names the same way (`loadMapping`; `loadAll` for both and the mapping's text).
 */
import { FileSystem, Path } from "@effect/platform"
import { Config, Effect, Either, Option, Redacted, Schema } from "effect"
import { fileURLToPath } from "node:url"
import * as Problem from "../domain/Problem.js"
import * as MappingDecode from "../mapping/Decode.js"
import type { MappingInput } from "../mapping/Mapping.js"
import { ConfigError } from "./ConfigError.js"
import * as Import from "./Import.js"
import { burstLimitByPlan, ConfigInput, type DecodedInput, type ResolvedConfig, type Target } from "./SyncConfig.js"

/** The folder this package is installed in (holds the bundled `sync.config.ts`, `fixtures/`, `mappings/`). */
export const packageRoot = fileURLToPath(new URL("../..", import.meta.url))

export const configFileNames = ["sync.config.ts", "sync.config.mts", "sync.config.js", "sync.config.mjs"] as const

const env = (name: string) =>
  Config.option(Config.string(name)).pipe(
    Effect.map(Option.filter((v) => v.trim() !== "")),
    Effect.orElseSucceed(() => Option.none<string>())
  )

const envToken = Config.option(Config.redacted("PIPEDRIVE_API_TOKEN")).pipe(
  Effect.map(Option.filter((v) => Redacted.value(v).trim() !== "")),
  Effect.map(Option.map((v) => Redacted.make(Redacted.value(v).trim()))),
  Effect.orElseSucceed(() => Option.none<Redacted.Redacted<string>>())
)

/** Finds the file to load: the explicit path, else `sync.config.*` in `cwd`, else the bundled one. */
const locate = (explicit: Option.Option<string>, cwd: string) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    if (Option.isSome(explicit)) {
      const file = path.resolve(cwd, explicit.value)
      const exists = yield* fs.exists(file).pipe(Effect.orElseSucceed(() => false))
      if (!exists) {
        return yield* new ConfigError({ source: explicit.value, subject: "configuration", problems: [Problem.make("--config", `file not found: ${explicit.value} (looked at ${file})`)] })
      }
      return { file, embedded: false }
    }
    for (const name of configFileNames) {
      const file = path.join(cwd, name)
      if (yield* fs.exists(file).pipe(Effect.orElseSucceed(() => false))) return { file, embedded: false }
    }
    return { file: path.join(packageRoot, "sync.config.ts"), embedded: true }
  })

/** The module's exports; a module that cannot be loaded is a problem of `subject`, where jiti says. */
const importModule = (file: string, subject: ConfigError["subject"]) =>
  Import.importModule(file).pipe(
    Effect.mapError((e) => new ConfigError({ source: file, subject, problems: [Problem.make(e.at, e.reason)] }))
  )

const decodeInput = (source: string, module: Record<string, unknown>) => {
  const raw = Import.defaultExport(module)
  if (raw === undefined || raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    return Either.left(
      new ConfigError({
        source,
        subject: "configuration",
        problems: [Problem.make("", "the file must `export default defineConfig({ ... })` (an object); its default export is " + (raw === undefined ? "missing" : typeof raw))]
      })
    )
  }
  const problems: Array<Problem.Problem> = []
  const pd = (raw as { pipedrive?: unknown }).pipedrive
  let input: unknown = raw
  if (pd !== null && typeof pd === "object") {
    for (const secretKey of ["token", "apiToken", "api_token"]) {
      if (secretKey in pd) {
        problems.push(Problem.make(`pipedrive.${secretKey}`, "the API token is read from the PIPEDRIVE_API_TOKEN environment variable only: remove it from the file"))
        const { [secretKey]: _omit, ...rest } = pd as Record<string, unknown>
        input = { ...(input as object), pipedrive: rest }
      }
    }
  }
  const decoded = Schema.decodeUnknownEither(ConfigInput, { errors: "all", onExcessProperty: "error" })(input)
  if (Either.isLeft(decoded)) problems.push(...Problem.fromParseError(decoded.left))
  if (problems.length > 0 || Either.isLeft(decoded)) return Either.left(new ConfigError({ source, subject: "configuration", problems }))
  return Either.right(decoded.right)
}

const resolveInput = (source: string, baseDir: string, embedded: boolean, input: DecodedInput) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const problems: Array<Problem.Problem> = []
    const abs = (p: string) => path.resolve(baseDir, p)
    const mustExist = function*(at: string, p: string) {
      if (!(yield* fs.exists(abs(p)).pipe(Effect.orElseSucceed(() => false)))) {
        problems.push(Problem.make(at, `file not found: ${p}${path.isAbsolute(p) ? "" : ` (looked at ${abs(p)})`}`))
      }
    }
    yield* mustExist("erp.path", input.erp.path)
    yield* mustExist("mapping", input.mapping)
    const seed = input.pipedrive.emulator?.seed ?? "demo"
    const emulatorSeed = seed === "demo" || seed === "empty" ? seed : abs(seed)
    if (seed !== "demo" && seed !== "empty") yield* mustExist("pipedrive.emulator.seed", seed)

    const token = yield* envToken
    const domain = Option.orElse(Option.fromNullable(input.pipedrive.companyDomain), () => Option.none<string>())
    const domainOrEnv = Option.isSome(domain) ? domain : yield* env("PIPEDRIVE_COMPANY_DOMAIN")
    const baseUrlOrEnv = input.pipedrive.baseUrl !== undefined ? Option.some(input.pipedrive.baseUrl) : yield* env("PIPEDRIVE_BASE_URL")
    const account = Option.isSome(baseUrlOrEnv)
      ? Option.some(baseUrlOrEnv.value.replace(/\/+$/, ""))
      : Option.map(domainOrEnv, (d) => `https://${d}.pipedrive.com`)
    let target: Target = { _tag: "Emulator" }
    if (Option.isSome(token) && Option.isSome(account)) {
      target = { _tag: "Remote", baseUrl: account.value, token: token.value }
    } else if (Option.isSome(token)) {
      problems.push(Problem.make("pipedrive.companyDomain", "PIPEDRIVE_API_TOKEN is set but no account is named: set pipedrive.companyDomain or PIPEDRIVE_COMPANY_DOMAIN (or pipedrive.baseUrl)"))
    } else if (Option.isSome(account)) {
      problems.push(Problem.make("pipedrive", `PIPEDRIVE_API_TOKEN is not set, so ${account.value} cannot be reached: set it, or name no account to use the bundled emulator`))
    }

    if (problems.length > 0) return yield* new ConfigError({ source, subject: "configuration", problems })
    const statePath = abs(input.state)
    const erpPath = abs(input.erp.path)
    const ext = path.extname(erpPath)
    const writeBackPath = input.erp.writeBack
      ? abs(input.erp.writeBack.path)
      : path.join(path.dirname(statePath), `${path.basename(erpPath, ext)}.pipedrive-changes${ext || ".csv"}`)
    const mode = input.policies.mode
    const resolved: ResolvedConfig = {
      source: embedded ? null : source,
      baseDir,
      pipedrive: {
        target,
        plan: input.pipedrive.plan,
        burstLimit: input.pipedrive.burstLimit ?? burstLimitByPlan[input.pipedrive.plan],
        tokenCap: input.pipedrive.tokenCap,
        dailyBudget: input.pipedrive.dailyBudget,
        timeoutMs: input.pipedrive.timeoutMs,
        concurrency: input.pipedrive.concurrency,
        emulatorSeed
      },
      erp: {
        path: erpPath,
        dialect: input.erp.dialect,
        writeBack: { path: writeBackPath, mode: input.erp.writeBack?.mode ?? "patch", unencodable: input.erp.writeBack?.unencodable ?? "refuse" }
      },
      mapping: abs(input.mapping),
      policies: {
        mode: typeof mode === "string" ? { toPipedrive: mode, toErp: mode } : mode,
        conflicts: input.policies.conflicts,
        deletes: input.policies.deletes,
        guards: input.policies.guards
      },
      state: statePath
    }
    return resolved
  })

/**
 * Loads and resolves the configuration. `explicit` is `--config PATH`; `cwd` is where a relative
 * path and the default `sync.config.ts` are looked up.
 */
export const load = (explicit: Option.Option<string>, cwd: string = process.cwd()) =>
  Effect.gen(function*() {
    const path = yield* Path.Path
    const { file, embedded } = yield* locate(explicit, cwd)
    const raw = yield* importModule(file, "configuration")
    const input = yield* decodeInput(file, raw)
    return yield* resolveInput(file, path.dirname(file), embedded, input)
  })

/** Imports the mapping module at `file` and checks its shape (`mapping/Decode.ts`). */
export const loadMapping = (file: string): Effect.Effect<MappingInput, ConfigError> =>
  importModule(file, "mapping").pipe(
    Effect.flatMap((module) => Either.mapLeft(MappingDecode.decode(Import.defaultExport(module)), (problems) => new ConfigError({ source: file, subject: "mapping", problems })))
  )

/** What a run starts from: the configuration, the mapping it names, and the mapping file's text (`""` when unreadable). */
export interface Loaded {
  readonly config: ResolvedConfig
  readonly mapping: MappingInput
  /** What the plan fingerprints the mapping by. */
  readonly mappingText: string
}

/** Loads the configuration (as `load`), then its mapping (`loadMapping`), then the mapping file's text. */
export const loadAll = (explicit: Option.Option<string>, cwd: string = process.cwd()) =>
  Effect.gen(function*() {
    const config = yield* load(explicit, cwd)
    const mapping = yield* loadMapping(config.mapping)
    const fs = yield* FileSystem.FileSystem
    const mappingText = yield* fs.readFileString(config.mapping).pipe(Effect.orElseSucceed(() => ""))
    const loaded: Loaded = { config, mapping, mappingText }
    return loaded
  })

/** A plain-JSON view of a resolved config for `config check`, the token shown as `<redacted>`. */
export const describe = (config: ResolvedConfig) => ({
  source: config.source ?? "embedded defaults",
  pipedrive: {
    target:
      config.pipedrive.target._tag === "Emulator"
        ? "bundled emulator (no PIPEDRIVE_API_TOKEN set)"
        : config.pipedrive.target.baseUrl,
    token: config.pipedrive.target._tag === "Remote" ? "<redacted>" : "(emulator token, generated per run)",
    plan: config.pipedrive.plan,
    burstLimit: config.pipedrive.burstLimit,
    tokenCap: config.pipedrive.tokenCap ?? null,
    dailyBudget: config.pipedrive.dailyBudget ?? null,
    timeoutMs: config.pipedrive.timeoutMs,
    concurrency: config.pipedrive.concurrency,
    ...(config.pipedrive.target._tag === "Emulator" ? { emulatorSeed: config.pipedrive.emulatorSeed ?? "demo" } : {})
  },
  erp: config.erp,
  mapping: config.mapping,
  policies: config.policies,
  state: config.state
})

/**
 * The Pipedrive the configuration points at, as a layer: the real account (company domain or base
 * URL, token from the environment), or — with no token — the bundled emulator started in-process
 * on 127.0.0.1 with a fresh random token per run. The emulator's account lives beside the state
 * (`emulator-account.json`): seeded the first time from `pipedrive.emulator.seed` — the demo account
 * (`fixtures/pipedrive-seed.json`, the default), an empty one, or a seed file — and saved when the
 * run ends, so the second run sees what the first one wrote.
 */
import type { HttpClient } from "@effect/platform"
import { Data, Effect, Either, Layer, Redacted } from "effect"
import { randomBytes } from "node:crypto"
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { packageRoot } from "../config/Loader.js"
import type { ResolvedConfig } from "../config/SyncConfig.js"
import * as Emulator from "../emulator/Emulator.js"
import * as Currency from "../domain/Currency.js"
import * as Seed from "../emulator/Seed.js"
import { Pipedrive, optionsFromConfig } from "../pipedrive/Pipedrive.js"
import * as Retry from "../pipedrive/Retry.js"

export class TargetError extends Data.TaggedError("TargetError")<{ readonly message: string }> {}

export const demoSeedPath = join(packageRoot, "fixtures", "pipedrive-seed.json")

const loadSeed = (file: string) =>
  Effect.try({
    try: () => JSON.parse(readFileSync(file, "utf8")) as unknown,
    catch: (e) => new TargetError({ message: `${file}: cannot read the emulator seed: ${e instanceof Error ? e.message : String(e)}` })
  }).pipe(Effect.flatMap((raw) => Effect.mapError(Seed.decode(raw), (why) => new TargetError({ message: `${file}: ${why}` }))))

/** The codes an empty emulator account offers, as a real Pipedrive company does (every common currency). */
const emptyAccountCurrencies = [
  "EUR", "USD", "GBP", "CHF", "JPY", "CNY", "INR", "ARS", "BRL", "MXN", "CLP", "COP", "CAD", "AUD", "NZD", "SGD", "HKD",
  "SEK", "NOK", "DKK", "ISK", "PLN", "CZK", "HUF", "RON", "BGN", "TRY", "RUB", "UAH", "ILS", "AED", "SAR", "ZAR", "KRW",
  "TWD", "THB", "PHP", "IDR", "MYR", "VND", "PKR", "LKR", "NGN", "EGP", "UYU", "PEN"
]

/** An account with no products and no custom fields, and the common currencies. */
export const emptyAccount: Seed.Seed = {
  ...Seed.empty,
  currencies: emptyAccountCurrencies.map((code, i) => ({
    id: i + 1,
    code,
    name: code,
    decimal_points: Currency.isoPrecision(code),
    symbol: code,
    active_flag: true,
    is_custom_flag: false
  }))
}

/** The account the emulator starts from: the one saved by the last run, else the configured seed. */
const firstAccount = (config: ResolvedConfig, saved: string) => {
  if (existsSync(saved)) return loadSeed(saved)
  const seed = config.pipedrive.emulatorSeed ?? "demo"
  return seed === "empty" ? Effect.succeed(emptyAccount) : loadSeed(seed === "demo" ? demoSeedPath : seed)
}

/** Where the bundled emulator keeps its account between runs. */
export const emulatorAccountPath = (config: ResolvedConfig): string => join(dirname(config.state), "emulator-account.json")

/** Saves the emulator's account (its own export, deleted products included) atomically. */
const saveAccount = (h: Emulator.Handle, file: string) =>
  Effect.tryPromise(async () => {
    const res = await fetch(`${h.baseUrl}/__emulator/export`)
    const text = await res.text()
    mkdirSync(dirname(file), { recursive: true })
    writeFileSync(`${file}.tmp`, text)
    renameSync(`${file}.tmp`, file)
  }).pipe(Effect.catchAll((e) => Effect.logWarning(`the emulator's account could not be saved to ${file}: ${String(e.error)}`)))

/** Starts the bundled emulator for the length of the scope, on the account saved by the last run (saved again at the end unless `save` is false). */
export const startEmulator = (config: ResolvedConfig, save = true) =>
  Effect.gen(function*() {
    const account = emulatorAccountPath(config)
    const seed = yield* firstAccount(config, account)
    const token = randomBytes(20).toString("hex")
    return yield* Effect.acquireRelease(
      Effect.promise(() => Emulator.start({ token, seed, plan: config.pipedrive.plan, burstLimit: config.pipedrive.burstLimit })),
      (h) => (save ? saveAccount(h, account) : Effect.void).pipe(Effect.zipRight(Effect.promise(() => h.close())))
    )
  })

/**
 * The `Pipedrive` client for the configured target, over the `HttpClient` the composition root
 * gives (`readOnly`: the emulator's account is not saved, and failed calls are retried once).
 */
export const layer = (config: ResolvedConfig, readOnly = false): Layer.Layer<Pipedrive, TargetError, HttpClient.HttpClient> =>
  Layer.unwrapScoped(
    Effect.gen(function*() {
      const emulator = config.pipedrive.target._tag === "Emulator" ? yield* startEmulator(config, !readOnly) : undefined
      const options = optionsFromConfig(config.pipedrive, emulator === undefined ? undefined : { baseUrl: emulator.baseUrl, token: Redacted.make(emulator.token) })
      if (Either.isLeft(options)) return yield* new TargetError({ message: options.left })
      return Pipedrive.layer(readOnly ? { ...options.right, retry: Retry.schedule({ maxRetries: 1 }) } : options.right)
    })
  )

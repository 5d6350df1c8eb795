/**
 * `catalog-sync schedule --cron EXPR`: stays running and syncs on a cron schedule (Effect's Cron),
 * one run at a time — a run that lasts past the next tick makes that tick wait, never overlap
 * (the state's lock also keeps out any other process). A failed run is logged and the schedule
 * goes on; SIGINT/SIGTERM stop it after the current run's writes settle.
 */
import { Command, Options } from "@effect/cli"
import { Console, Cron, Data, Duration, Effect, Either, Option } from "effect"
import { configOption } from "./Root.js"
import { runOnce, syncOptions } from "./SyncRun.js"

class ScheduleError extends Data.TaggedError("ScheduleError")<{ readonly message: string }> {}

const cron = Options.text("cron").pipe(
  Options.withDescription('when to sync, as a cron expression: "0 2 * * *" (02:00 every day); six fields add seconds')
)
const tz = Options.text("tz").pipe(Options.optional, Options.withDescription("the time zone of the expression (an IANA name such as Europe/Berlin; default: the machine's)"))
const { force, maxWrites, full, report, logFormat } = syncOptions

const message = (e: unknown) => (typeof e === "object" && e !== null && "message" in e && typeof e.message === "string" ? e.message : String(e))

export const command = Command.make(
  "schedule",
  { cron, tz, config: configOption, force, maxWrites, full, report, logFormat },
  (args) =>
    Effect.gen(function*() {
      const parsed = Cron.parse(args.cron, Option.getOrUndefined(args.tz))
      if (Either.isLeft(parsed)) return yield* new ScheduleError({ message: `--cron ${JSON.stringify(args.cron)}: ${parsed.left.message}` })
      const schedule = parsed.right
      yield* Console.log(`catalog-sync schedule: syncing on "${args.cron}"; the next run is at ${Cron.next(schedule).toISOString()}. Ctrl-C stops it.`)
      let runs = 0
      for (;;) {
        const next = Cron.next(schedule, new Date())
        yield* Effect.sleep(Duration.millis(Math.max(0, next.getTime() - Date.now())))
        runs++
        yield* Console.log(`\n[${new Date().toISOString()}] scheduled sync ${runs}`)
        yield* runOnce({ config: args.config, dryRun: false, yes: true, force: args.force, allow: [], maxWrites: args.maxWrites, full: args.full, showPlan: false, report: args.report, json: false, logFormat: args.logFormat }).pipe(Effect.catchAll((e) => Console.error(`scheduled sync ${runs} failed: ${message(e)}`)))
        process.exitCode = 0 // one run's outcome is its own; the schedule goes on
        yield* Console.log(`the next run is at ${Cron.next(schedule, new Date()).toISOString()}`)
      }
    })
).pipe(
  Command.withDescription(
    "Stay running and sync on a cron schedule, never two runs at once (a failed run is logged and the schedule goes on). For system cron, systemd timers and Kubernetes CronJobs, see docs/scheduling.md.\n\n" +
      'Examples:\n  catalog-sync schedule --cron "0 2 * * *"\n  catalog-sync schedule --cron "30 1 * * 1-5" --tz Europe/Berlin --report out/last-run.html'
  )
)

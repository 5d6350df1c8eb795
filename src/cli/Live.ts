/**
 * The composition root: the only place that picks implementations. Every command builds its
 * services here — the Pipedrive client over Node's HTTP stack (keep-alive), aimed at the real
 * account or the bundled emulator (`Target`); the state in its SQLite file; the ERP catalog as a
 * CSV source; the logger. Tests use the same layers, swapping a part where they need another.
 * (main.ts provides the platform: Node's file system, path and terminal.)
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { Layer } from "effect"
import type { ResolvedConfig } from "../config/SyncConfig.js"
import * as CsvSource from "../erp/CsvSource.js"
import { Store } from "../store/Store.js"
import * as Output from "./Output.js"
import * as Target from "./Target.js"

/** Node's HTTP client with keep-alive connections, for the Pipedrive client. */
export const httpClient = NodeHttpClient.layerWithoutAgent.pipe(Layer.provide(NodeHttpClient.makeAgentLayer({ keepAlive: true })))

/** The Pipedrive client for the configured target (`readOnly`: see `Target.layer`). */
export const pipedrive = (config: ResolvedConfig, readOnly = false) => Target.layer(config, readOnly).pipe(Layer.provide(httpClient))

/** The state store in the configured SQLite file. */
export const store = (config: ResolvedConfig) => Store.layer(config.state)

/** The configured ERP catalog: a CSV file, its rejects file beside the state. */
export const catalog = (config: ResolvedConfig) => CsvSource.layer(config.erp, config.state)

/** Everything a sync needs: Pipedrive, the state and the catalog. */
export const sync = (config: ResolvedConfig) => Layer.mergeAll(pipedrive(config), store(config), catalog(config))

/** The logger for `--log-format` (everything on stderr). */
export const logger = Output.loggerLayer

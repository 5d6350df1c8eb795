/**
 * Writes a text file atomically (creating its folder when needed): the content streams into a temporary file beside the target,
 * which is flushed and renamed over the target only when every byte is written. On any failure
 * (or interruption) the temporary file is removed and the target is left as it was.
 */
import { FileSystem } from "@effect/platform"
import type { PlatformError } from "@effect/platform/Error"
import { Chunk, Effect, Stream } from "effect"
import { randomBytes } from "node:crypto"
import * as Path from "node:path"
import * as Encoding from "./Encoding.js"
import * as FileError from "./FileError.js"

/** The temporary file's name: hidden, beside the target, unique per write. */
export const tempPath = (target: string): string =>
  Path.join(Path.dirname(target), `.${Path.basename(target)}.${process.pid}-${randomBytes(4).toString("hex")}.tmp`)

const unwritable = (file: string) => (e: PlatformError) => FileError.make(file, "Unwritable", `cannot be written: ${e.message}`)

/**
 * Streams `content` into `target` in `encoding` (with its byte-order mark when `bom`), atomically.
 * Text pieces are joined per chunk, so a stream of rows costs one write per chunk, not per row.
 */
export const write = <E, R>(
  target: string,
  encoding: Encoding.Name,
  bom: boolean,
  content: Stream.Stream<string, E, R>
): Effect.Effect<void, E | FileError.CsvFileError, FileSystem.FileSystem | R> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const tmp = tempPath(target)
    yield* fs.makeDirectory(Path.dirname(target), { recursive: true }).pipe(Effect.mapError(unwritable(target)))
    const body = Effect.scoped(
      Effect.gen(function*() {
        const file = yield* fs.open(tmp, { flag: "wx" }).pipe(Effect.mapError(unwritable(target)))
        if (bom) yield* file.writeAll(Encoding.bom(encoding)).pipe(Effect.mapError(unwritable(target)))
        yield* content.pipe(
          Stream.mapChunks((texts) => Chunk.of(Chunk.join(texts, ""))),
          Stream.runForEach((text) => text === "" ? Effect.void : file.writeAll(Encoding.encode(text, encoding)).pipe(Effect.mapError(unwritable(target))))
        )
        yield* file.sync.pipe(Effect.mapError(unwritable(target)))
      })
    )
    yield* body.pipe(
      Effect.zipRight(fs.rename(tmp, target).pipe(Effect.mapError(unwritable(target)))),
      Effect.onExit((exit) => (exit._tag === "Success" ? Effect.void : fs.remove(tmp).pipe(Effect.ignore)))
    )
  })

// The second half of `npm run build`: bundles the CLI (src/cli/main.ts) and the library entry
// (src/index.ts) with esbuild into bundle/ — tree-shaken, minified ESM sharing its chunks — so the
// command starts without resolving and compiling hundreds of modules (docs/performance.md,
// "Start-up"). dist/ (tsc) stays the library the package exports and the types.
import * as esbuild from "esbuild"
import { readFile, rm, writeFile } from "node:fs/promises"
import path from "node:path"
import { fileURLToPath } from "node:url"

const root = fileURLToPath(new URL("..", import.meta.url))
const src = path.join(root, "src")
const outdir = path.join(root, "bundle")

/**
 * The URL each module of src/ has at run time: the one it would have if compiled into bundle/ one
 * file per module, as tsc does into dist/. bundle/ sits at dist/'s depth, so
 * `new URL("../package.json", import.meta.url)`, `packageRoot` and the `catalog-sync` alias of
 * user modules (`../index.js` from config/Import, here bundle/index.js, which shares this bundle's
 * modules) resolve as they do from dist/.
 */
const ownUrl = (file, text) => {
  const own = "./" + path.relative(src, file).split(path.sep).join("/").replace(/\.ts$/, ".js")
  return text.replaceAll("import.meta.url", `new URL(${JSON.stringify(own)}, import.meta.url).href`)
}

/**
 * The barrels src/ imports from: `export * as Effect from "./Effect.js"` and the like. esbuild
 * keeps every export of a namespace reached through a barrel, so `import { Effect } from "effect"`
 * would bundle all of Effect; read as `import * as Effect from ".../Effect.js"` only what is used.
 * Maps each exported name to the module the barrel takes it from: `namespace` for `export * as`.
 */
const barrelPackages = ["effect", "@effect/cli", "@effect/platform", "@effect/platform-node"]
const readBarrel = async (build, pkg) => {
  const index = await build.resolve(pkg, { kind: "import-statement", resolveDir: src })
  if (index.errors.length > 0) throw new Error(`cannot resolve ${pkg}`)
  const text = (await readFile(index.path, "utf8")).replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "")
  const names = new Map()
  const from = (rel) => path.resolve(path.dirname(index.path), rel)
  for (const m of text.matchAll(/export \* as (\w+) from "(\.[^"]+)"/g)) names.set(m[1], { file: from(m[2]), namespace: true })
  for (const m of text.matchAll(/export \{([^}]*)\} from "(\.[^"]+)"/g)) {
    for (const spec of m[1].split(",").map((s) => s.trim()).filter(Boolean)) {
      const [name, as = name] = spec.split(/\s+as\s+/)
      names.set(as, { file: from(m[2]), name })
    }
  }
  return names
}
const unbarrel = (barrels, text) =>
  text.replace(/import\s*\{([^}]*)\}\s*from\s*"([^"]+)"/g, (whole, list, pkg) => {
    const names = barrels.get(pkg)
    if (names === undefined) return whole
    const kept = []
    const direct = []
    for (const spec of list.split(",").map((s) => s.trim()).filter(Boolean)) {
      if (spec.startsWith("type ")) continue // erased from the output either way
      const [name, as = name] = spec.split(/\s+as\s+/)
      const target = names.get(name)
      if (target === undefined) kept.push(spec)
      else if (target.namespace) direct.push(`import * as ${as} from ${JSON.stringify(target.file)}`)
      else direct.push(`import { ${target.name} as ${as} } from ${JSON.stringify(target.file)}`)
    }
    return [...(kept.length > 0 ? [`import { ${kept.join(", ")} } from "${pkg}"`] : []), ...direct].join("; ")
  })

/** src/ as bundled: each module with its own URL and its barrel imports made direct. */
const sources = {
  name: "sources",
  setup(build) {
    let barrels
    build.onStart(async () => {
      barrels = new Map(await Promise.all(barrelPackages.map(async (pkg) => [pkg, await readBarrel(build, pkg)])))
    })
    build.onLoad({ filter: /\.ts$/ }, async (args) => {
      if (!args.path.startsWith(src + path.sep)) return undefined
      const text = await readFile(args.path, "utf8")
      return { contents: unbarrel(barrels, text.includes("import.meta.url") ? ownUrl(args.path, text) : text), loader: "ts" }
    })
  }
}

/**
 * Packages loaded on first use instead of at start-up (`--help` needs none of them): each import
 * of one resolves to a stand-in that `require`s the package when the program first touches it.
 * They stay outside the bundle: better-sqlite3 is a native addon, jiti loads its Babel build by
 * path, iconv-lite's encoding tables are read only for the encodings used.
 */
const lazyPackages = {
  "better-sqlite3": "default",
  "iconv-lite": "default",
  jiti: "createJiti"
}
const standIn = (name, exported) => {
  const load = `import{createRequire}from"node:module";let m;const load=()=>m??=createRequire(import.meta.url)(${JSON.stringify(name)});`
  return exported === "default"
    ? `${load}export default new Proxy(function(){},{get:(_,k)=>load()[k],construct:(_,a)=>Reflect.construct(load(),a),apply:(_,t,a)=>Reflect.apply(load(),t,a)})`
    : `${load}export const ${exported}=(...a)=>load().${exported}(...a)`
}
const onFirstUse = {
  name: "on-first-use",
  setup(build) {
    const names = new RegExp(`^(${Object.keys(lazyPackages).join("|")})$`)
    build.onResolve({ filter: names }, (args) => ({ path: args.path, namespace: "on-first-use" }))
    build.onLoad({ filter: /.*/, namespace: "on-first-use" }, (args) => ({ contents: standIn(args.path, lazyPackages[args.path]), resolveDir: root }))
  }
}

await rm(outdir, { recursive: true, force: true })
const result = await esbuild.build({
  absWorkingDir: root,
  entryPoints: { cli: "src/cli/main.ts", index: "src/index.ts" },
  outdir,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  // Names are kept so an internal error's trace stays readable (mangling them saved about 5 % of
  // the start-up). The maps, left off at run time (reading them cost more than the bundle saves),
  // point a trace at src/ on demand: NODE_OPTIONS=--enable-source-maps catalog-sync ...
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: "linked",
  sourcesContent: false,
  chunkNames: "chunk-[hash]",
  plugins: [sources, onFirstUse],
  metafile: true,
  logLevel: "warning"
})
// A CommonJS package bundled into ESM could not `require` at run time; say so now, not then.
for (const file of Object.keys(result.metafile.outputs).filter((f) => f.endsWith(".js"))) {
  if ((await readFile(path.join(root, file), "utf8")).includes("Dynamic require of")) {
    throw new Error(`${file} bundles CommonJS that calls require(): add the package to lazyPackages in scripts/bundle.mjs`)
  }
}
// BUNDLE_METAFILE=FILE writes what went into each output (for https://esbuild.github.io/analyze/).
if (process.env.BUNDLE_METAFILE) await writeFile(process.env.BUNDLE_METAFILE, JSON.stringify(result.metafile))

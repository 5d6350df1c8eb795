// Headless Chromium for the HTML report tests. `npm test` runs this first (`--ensure`): it finds
// Chromium where Debian, Ubuntu, Fedora and Homebrew put it (or at CHROMIUM_PATH); when there is
// none and this is root on a machine with apt-get, it installs Debian's `chromium`; otherwise it
// stops the test command with one line naming the command to run. The tests import `find`.
import { spawnSync } from "node:child_process"
import { accessSync, constants } from "node:fs"
import { delimiter, join } from "node:path"

/** Where the common packages put it, in the order tried (after CHROMIUM_PATH). */
export const defaultCandidates = [
  "/usr/bin/chromium", // Debian
  "/usr/bin/chromium-browser", // Ubuntu, Fedora
  "/snap/bin/chromium", // Ubuntu's snap
  "/usr/lib64/chromium-browser/chromium-browser", // Fedora's binary
  "/opt/homebrew/bin/chromium", // Homebrew on Apple silicon
  "/usr/local/bin/chromium", // Homebrew on Intel, or a hand install
  "/Applications/Chromium.app/Contents/MacOS/Chromium" // `brew install --cask chromium`
]

const executable = (path) => {
  try {
    accessSync(path, constants.X_OK)
    return true
  } catch {
    return false
  }
}

const onPath = (name, env) => (env.PATH ?? "").split(delimiter).some((dir) => dir !== "" && executable(join(dir, name)))

/**
 * The candidates to try: CHROMIUM_PATH alone when it is set; else the usual places
 * (CATALOG_SYNC_CHROMIUM_SEARCH, a path list, replaces them — the tests of this script use it).
 */
export const candidates = (env = process.env) => {
  if (env.CHROMIUM_PATH) return [env.CHROMIUM_PATH]
  if (env.CATALOG_SYNC_CHROMIUM_SEARCH !== undefined) return env.CATALOG_SYNC_CHROMIUM_SEARCH.split(delimiter).filter((p) => p !== "")
  return defaultCandidates
}

/** The first executable candidate, or undefined. */
export const find = (env = process.env) => candidates(env).find(executable)

/** The command a person runs to get Chromium on this machine. */
export const installCommand = (env = process.env, platform = process.platform) => {
  if (platform === "darwin") return "brew install --cask chromium"
  if (onPath("apt-get", env)) return "sudo apt-get install -y chromium"
  if (onPath("dnf", env)) return "sudo dnf install -y chromium"
  return "install Chromium with your package manager"
}

const canInstall = (env) =>
  env.CATALOG_SYNC_CHROMIUM_INSTALL !== "never" && process.platform === "linux" && process.getuid?.() === 0 && onPath("apt-get", env)

const missingLine = (env) =>
  env.CHROMIUM_PATH
    ? `npm test needs headless Chromium for the HTML report tests: CHROMIUM_PATH=${env.CHROMIUM_PATH} is not an executable file; point it at Chromium, or unset it and run: ${installCommand(env)}`
    : `npm test needs headless Chromium for the HTML report tests and found none; run: ${installCommand(env)} (or set CHROMIUM_PATH)`

/** Finds Chromium or installs Debian's; exit code 0 when it is there, 1 with one line when not. */
const ensure = (env) => {
  if (find(env) !== undefined) return 0
  if (env.CHROMIUM_PATH || !canInstall(env)) {
    process.stderr.write(missingLine(env) + "\n")
    return 1
  }
  process.stderr.write("npm test: installing Debian's chromium for the HTML report tests (apt-get)…\n")
  const apt = (args) =>
    spawnSync("apt-get", args, { stdio: ["ignore", "ignore", "inherit"], env: { ...env, DEBIAN_FRONTEND: "noninteractive" } }).status === 0
  if (apt(["update", "-qq"]) && apt(["install", "-y", "-qq", "chromium"]) && find(env) !== undefined) return 0
  process.stderr.write(`npm test could not install Chromium with apt-get; run: ${installCommand(env)} (or set CHROMIUM_PATH)\n`)
  return 1
}

if (process.argv[2] === "--ensure") process.exitCode = ensure(process.env)

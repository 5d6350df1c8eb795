/** Types of chromium.mjs (plain JavaScript, so that `npm test` can run it before the build). */
export declare const defaultCandidates: ReadonlyArray<string>
export declare const candidates: (env?: NodeJS.ProcessEnv) => ReadonlyArray<string>
export declare const find: (env?: NodeJS.ProcessEnv) => string | undefined
export declare const installCommand: (env?: NodeJS.ProcessEnv, platform?: NodeJS.Platform) => string

// Types of scripts/readme-blocks.mjs, for the test that runs it (apps/cli/test/ReadmeBlocks.test.ts).

/** A fenced code block of a README. */
export interface ReadmeBlock {
  /** `path/README.md:line` of the opening fence. */
  readonly id: string
  readonly file: string
  readonly line: number
  readonly lang: "ts" | "js" | "sh"
  readonly code: string
  /** From the `<!-- readme-test: ... -->` annotation; `run` without one. */
  readonly mode: "run" | "typecheck-only" | "skip"
  readonly reason: string | undefined
}

export interface BlockRun {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
  readonly timedOut: boolean
}

export declare const root: string
export declare const hostDir: string
export declare const README_JOBS: ReadonlyArray<{ readonly jobId: string; readonly tasks: number }>
export declare const readmeFiles: () => Array<string>
export declare const extractBlocks: (files?: ReadonlyArray<string>) => Array<ReadmeBlock>
export declare const typecheckBlocks: (blocks: ReadonlyArray<ReadmeBlock>) => Map<string, Array<string>>
export declare const runBlock: (
  block: ReadmeBlock,
  options?: { readonly env?: Readonly<Record<string, string>>; readonly timeoutMs?: number }
) => Promise<BlockRun>
export declare const summarize: (blocks: ReadonlyArray<ReadmeBlock>) => string
export declare const startReadmeEmulator: () => Promise<{
  readonly emulator: { readonly url: string; close(): Promise<void> }
  readonly env: Readonly<Record<string, string>>
}>

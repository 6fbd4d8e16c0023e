// Doc coverage of the public API: every symbol exported from a package's entry points (`src/index.ts`, or the
// `typedocOptions.entryPoints` of its package.json, which TypeDoc reads too), directly or through
// the modules it re-exports (`export * as X from "./X.js"`, `export * from`, named re-exports), must carry a
// JSDoc comment with a summary and an `@example`. A symbol is checked once, in the package whose sources
// declare it; re-exports of another workspace package's symbols (node re-exporting core's errors) are
// counted there. The ```ts blocks of every `@example` are then type-checked as modules placed in the
// package (so `import … from "@iot-ota/<self>"` resolves to its sources), with the package's compiler options.
//
// Usage: node scripts/doc-coverage.mjs [--verbose]
import { join, relative } from "node:path"
import ts from "typescript"
import { publishablePackages, root } from "./lib/workspace.mjs"

// Packages whose gaps fail the check (all of them; a package left out would only be reported).
const ENFORCED = new Set([
  "@iot-ota/core",
  "@iot-ota/node",
  "@iot-ota/emulator",
  "@iot-ota/edge",
  "@iot-ota/cli"
])

const verbose = process.argv.includes("--verbose")

const compilerOptions = (dir) => {
  const parsed = ts.getParsedCommandLineOfConfigFile(
    join(dir, "tsconfig.json"),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, "\n"))
      }
    }
  )
  return { ...parsed.options, noEmit: true }
}

/** A compiler host that also serves in-memory files (the extracted examples). */
const hostWith = (options, virtualFiles) => {
  const host = ts.createCompilerHost(options)
  const { getSourceFile, fileExists, readFile } = host
  return {
    ...host,
    fileExists: (fileName) => virtualFiles.has(fileName) || fileExists.call(host, fileName),
    readFile: (fileName) => virtualFiles.get(fileName) ?? readFile.call(host, fileName),
    getSourceFile: (fileName, languageVersion, ...rest) => {
      const text = virtualFiles.get(fileName)
      return text === undefined
        ? getSourceFile.call(host, fileName, languageVersion, ...rest)
        : ts.createSourceFile(fileName, text, languageVersion, true)
    }
  }
}

/** The ```ts / ```typescript blocks of an `@example` tag. */
const codeBlocks = (tag) => {
  const text = ts.getTextOfJSDocComment(tag.comment) ?? ""
  return [...text.matchAll(/```(?:ts|typescript)\s*\n([\s\S]*?)```/g)].map((match) => match[1])
}

/** The text and tags of the JSDoc blocks attached to a node (for a variable: to its statement). */
const jsDocOf = (node) => {
  const blocks = ts.getJSDocCommentsAndTags(node).filter(ts.isJSDoc)
  const summary = blocks
    .map((block) => ts.getTextOfJSDocComment(block.comment) ?? "")
    .join("\n")
    .trim()
  const tags = blocks.flatMap((block) => [...(block.tags ?? [])])
  return { documented: blocks.length > 0, summary, tags }
}

/** The leading `/** … *\/` of a file: the module's header comment. */
const moduleHeader = (sourceFile) => {
  const text = sourceFile.getFullText()
  const ranges = ts.getLeadingCommentRanges(text, 0) ?? []
  const header = ranges.map((range) => text.slice(range.pos, range.end)).find((c) => c.startsWith("/**"))
  if (header === undefined) return ""
  return header
    .replace(/^\/\*\*|\*\/$/g, "")
    .split("\n")
    .map((line) => line.replace(/^\s*\* ?/, ""))
    .filter((line) => !line.startsWith("@"))
    .join("\n")
    .trim()
}

const isInside = (dir, fileName) => {
  const rel = relative(dir, fileName)
  return !rel.startsWith("..") && !rel.startsWith("/")
}

/** The package's public entry modules: what TypeDoc documents. */
const entryPointsOf = (pkg) =>
  (pkg.manifest.typedocOptions?.entryPoints ?? ["src/index.ts"]).map((entry) => join(pkg.dir, entry))

const checkPackage = (pkg) => {
  const options = compilerOptions(pkg.dir)
  // Only the entry points: everything public is reachable from them, and tests stay out of the program.
  const entries = entryPointsOf(pkg)
  const program = ts.createProgram({ rootNames: entries, options })
  const checker = program.getTypeChecker()
  const srcDir = join(pkg.dir, "src")

  const results = [] // { name, problems: string[], where }
  const foreign = new Set()
  const seenModules = new Set()
  const seenSymbols = new Set()

  const visitModule = (moduleSymbol, prefix) => {
    if (seenModules.has(moduleSymbol)) return
    seenModules.add(moduleSymbol)
    for (const exported of checker.getExportsOfModule(moduleSymbol)) {
      const name = prefix + exported.getName()
      const target = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported
      const declarations = target.getDeclarations() ?? []
      const moduleDeclaration = declarations.find(ts.isSourceFile)
      if (moduleDeclaration !== undefined) {
        // `export * as X from "./X.js"`: the namespace needs a description (on the export or the module
        // header); its members are checked one by one.
        if (!isInside(srcDir, moduleDeclaration.fileName)) {
          foreign.add(name)
          continue
        }
        const onExport = (exported.getDeclarations() ?? []).map((d) => jsDocOf(d.parent ?? d))
        const summary = [...onExport.map((doc) => doc.summary), moduleHeader(moduleDeclaration)]
          .join("")
          .trim()
        results.push({
          name,
          where: relative(root, moduleDeclaration.fileName),
          problems: summary === "" ? ["no description (module header or comment on the export)"] : []
        })
        visitModule(target, `${name}.`)
        continue
      }
      const own = declarations.filter((d) => isInside(srcDir, d.getSourceFile().fileName))
      if (own.length === 0) {
        if (declarations.length > 0) foreign.add(name)
        continue
      }
      if (seenSymbols.has(target)) continue
      seenSymbols.add(target)
      const docs = own.map(jsDocOf)
      const examples = docs.flatMap((doc) => doc.tags).filter((tag) => tag.tagName.text === "example")
      const problems = []
      if (!docs.some((doc) => doc.documented)) problems.push("no doc comment")
      else if (!docs.some((doc) => doc.summary !== "")) problems.push("no description")
      if (examples.length === 0) problems.push("no @example")
      const first = own[0]
      const { line } = first.getSourceFile().getLineAndCharacterOfPosition(first.getStart())
      const where = `${relative(root, first.getSourceFile().fileName)}:${line + 1}`
      results.push({ name, where, problems, examples: examples.flatMap(codeBlocks) })
    }
  }

  for (const file of entries) {
    const entry = program.getSourceFile(file)
    if (entry === undefined) throw new Error(`${pkg.name}: ${relative(pkg.dir, file)} not found`)
    const entrySymbol = checker.getSymbolAtLocation(entry)
    if (entrySymbol === undefined) throw new Error(`${pkg.name}: ${relative(pkg.dir, file)} has no exports`)
    visitModule(entrySymbol, "")
  }
  typecheckExamples(pkg, options, program, results)
  return { results, foreign: [...foreign].sort() }
}

/** Adds "example does not compile" problems to `results`, from one program holding every example. */
const typecheckExamples = (pkg, options, oldProgram, results) => {
  const virtualFiles = new Map()
  const owner = new Map()
  for (const result of results) {
    result.examples?.forEach((code, index) => {
      // Inside the package's own directory, so that its name resolves to itself through `exports`.
      const fileName = join(pkg.dir, "src", `__example_${virtualFiles.size}.ts`)
      virtualFiles.set(fileName, code)
      owner.set(fileName, { result, index })
    })
  }
  if (virtualFiles.size === 0) return
  const program = ts.createProgram({
    rootNames: [...entryPointsOf(pkg), ...virtualFiles.keys()],
    options,
    host: hostWith(options, virtualFiles),
    oldProgram
  })
  for (const fileName of virtualFiles.keys()) {
    const sourceFile = program.getSourceFile(fileName)
    const diagnostics = [
      ...program.getSyntacticDiagnostics(sourceFile),
      ...program.getSemanticDiagnostics(sourceFile)
    ]
    if (diagnostics.length === 0) continue
    const { result, index } = owner.get(fileName)
    for (const diagnostic of diagnostics.slice(0, 3)) {
      const { line } = sourceFile.getLineAndCharacterOfPosition(diagnostic.start ?? 0)
      const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, " ")
      result.problems.push(`example ${index + 1}, line ${line + 1} does not compile: ${message}`)
    }
  }
}

let failed = false
for (const pkg of publishablePackages()) {
  const { results, foreign } = checkPackage(pkg)
  const missing = results.filter((r) => r.problems.length > 0)
  const enforced = ENFORCED.has(pkg.name)
  const status = missing.length === 0 ? "ok" : enforced ? "FAIL" : "report only"
  console.log(
    `${pkg.name}: ${results.length - missing.length}/${results.length} exports documented with an example` +
      ` (${status})${foreign.length > 0 ? `; ${foreign.length} re-exported from other packages, checked there` : ""}`
  )
  if (verbose) for (const r of results.filter((r) => r.problems.length === 0)) console.log(`  ok  ${r.name}`)
  for (const r of missing)
    console.log(`  ${enforced ? "✗" : "-"} ${r.name} (${r.where}): ${r.problems.join(", ")}`)
  if (enforced && missing.length > 0) failed = true
}
if (failed) {
  console.error("\ndoc coverage: every export of an enforced package needs a doc comment with an @example")
  process.exit(1)
}

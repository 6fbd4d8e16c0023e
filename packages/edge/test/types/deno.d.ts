// The few Deno APIs the Deno example and the Deno test program use, so that
// `tsc` can check them without the Deno type library (Deno itself ignores this file).
declare namespace Deno {
  const args: ReadonlyArray<string>
  const env: { get(name: string): string | undefined }
  const stdin: { readonly readable: ReadableStream<Uint8Array> }
  function exit(code?: number): never
}

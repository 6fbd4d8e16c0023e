// The few Bun APIs the Bun test programs use, so that `tsc` can check them without Bun's type
// library (Bun itself ignores this file).
declare namespace Bun {
  const stdin: { stream(): ReadableStream<Uint8Array> }
  function serve(options: {
    readonly port: number
    readonly hostname: string
    readonly fetch: (request: Request) => Response | Promise<Response>
  }): { readonly port: number }
}

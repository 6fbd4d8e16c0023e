/**
 * The practical floor for a JS client: what any correct client of this API
 * must do per call, written by hand with nothing in between. Sign the V2
 * query (own percent-encoder, sorted canonical query, `createHmac("sha1")`),
 * send a GET over a keep-alive socket, read the body, `JSON.parse` it.
 */
import { createHmac, randomUUID } from "node:crypto"
import * as http from "node:http"

const SUB_DELIMS = /[!'()*]/g
const PLAIN = /^[A-Za-z0-9\-_.~]*$/

/** RFC 3986 percent-encoding as the RPC signature wants it (`%20`, `%2A`, `~` kept). */
export const encode = (value: string): string =>
  PLAIN.test(value)
    ? value
    : encodeURIComponent(value).replace(SUB_DELIMS, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase())

/** UTC `YYYY-MM-DDThh:mm:ssZ`. */
export const timestamp = (millis: number): string => new Date(millis).toISOString().slice(0, 19) + "Z"

/**
 * The signed query string (without `?`) of a V2 (HMAC-SHA1, `SignatureVersion=1.0`)
 * GET: the sorted, encoded parameters, then `&Signature=`.
 */
export const signV2Query = (params: Readonly<Record<string, string>>, secret: string): string => {
  const names = Object.keys(params).sort()
  let canonical = ""
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!
    canonical += (i === 0 ? "" : "&") + encode(name) + "=" + encode(params[name]!)
  }
  const signature = createHmac("sha1", secret + "&")
    .update("GET&%2F&" + encode(canonical))
    .digest("base64")
  return canonical + "&Signature=" + encode(signature)
}

export interface FloorClient {
  /** One call; resolves to the number of tasks on the page. */
  readonly listPage: (jobId: string, pageSize: number, currentPage: number) => Promise<number>
  /** The same call, callback style: the page's tasks, or why there are none (for the Effect floor's fiber). */
  readonly fetchPage: (
    jobId: string,
    pageSize: number,
    currentPage: number,
    done: (error: unknown, tasks?: ReadonlyArray<unknown>) => void
  ) => void
  readonly close: () => void
}

interface PageBody {
  readonly Data?: { readonly SimpleOTATaskInfo?: ReadonlyArray<unknown> }
  readonly Code?: string
}

export const makeFloorClient = (options: {
  readonly host: string
  readonly port: number
  /** Sockets kept alive to the server: 1 for sequential calls, N for N calls in flight. */
  readonly maxSockets: number
  readonly accessKeyId: string
  readonly accessKeySecret: string
}): FloorClient => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.maxSockets })
  const fetchPage: FloorClient["fetchPage"] = (jobId, pageSize, currentPage, done) => {
    const path =
      "/?" +
      signV2Query(
        {
          Action: "ListOTATaskByJob",
          Version: "2018-01-20",
          Format: "JSON",
          AccessKeyId: options.accessKeyId,
          SignatureMethod: "HMAC-SHA1",
          SignatureVersion: "1.0",
          SignatureNonce: randomUUID(),
          Timestamp: timestamp(Date.now()),
          JobId: jobId,
          PageSize: String(pageSize),
          CurrentPage: String(currentPage)
        },
        options.accessKeySecret
      )
    const request = http.request(
      {
        host: options.host,
        port: options.port,
        path,
        method: "GET",
        agent,
        headers: { accept: "application/json" }
      },
      (response) => {
        const chunks: Array<Buffer> = []
        response.on("data", (chunk: Buffer) => chunks.push(chunk))
        response.on("error", done)
        response.on("end", () => {
          let body: PageBody
          try {
            body = JSON.parse(Buffer.concat(chunks).toString("utf8"))
          } catch (error) {
            return done(error)
          }
          const tasks = body.Data?.SimpleOTATaskInfo
          if (response.statusCode !== 200 || tasks === undefined)
            done(new Error(`floor: HTTP ${response.statusCode}, Code ${body.Code ?? "(none)"}`))
          else done(undefined, tasks)
        })
      }
    )
    request.on("error", done)
    request.end()
  }
  const listPage = (jobId: string, pageSize: number, currentPage: number): Promise<number> =>
    new Promise((resolve, reject) =>
      fetchPage(jobId, pageSize, currentPage, (error, tasks) =>
        tasks === undefined ? reject(error) : resolve(tasks.length)
      )
    )
  return { listPage, fetchPage, close: () => agent.destroy() }
}

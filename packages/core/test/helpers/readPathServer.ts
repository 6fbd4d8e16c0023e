/**
 * A server on 127.0.0.1 that answers the read path's operations with their documented example responses
 * (`test/fixtures`), listings with real paging arithmetic at the page size asked for, and records what each
 * request carried. For the runtime packages' tests of their generated methods, until the emulator serves
 * these operations. Call it inside a test: it closes when the test finishes.
 */
import { readFileSync } from "node:fs"
import { hostileServer } from "./hostileServers.js"

const fixture = (name: string): Record<string, Record<string, Array<unknown>>> =>
  JSON.parse(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), "utf8"))

const BODIES: Record<string, string> = {
  ListOTAFirmware: "list-ota-firmware-response.json",
  QueryOTAFirmware: "query-ota-firmware-multi-file-response.json",
  ListOTAJobByFirmware: "list-ota-job-by-firmware-response.json",
  ListOTAJobByDevice: "list-ota-job-by-firmware-response.json",
  ListOTAUnfinishedTaskByDevice: "list-ota-unfinished-task-by-device-response.json"
}

/** Where each listing's items are. */
const LISTS: Record<string, readonly [string, string]> = {
  ListOTAFirmware: ["FirmwareInfo", "SimpleFirmwareInfo"],
  ListOTAJobByFirmware: ["Data", "SimpleOTAJobInfo"],
  ListOTAJobByDevice: ["Data", "SimpleOTAJobInfo"]
}

/** What a request carried: its action (from the query or, signed with ACS3, the header) and its own parameters. */
export interface ReadPathRequest {
  readonly action: string
  readonly params: Record<string, string>
}

const COMMON = new Set([
  "Action",
  "Format",
  "Version",
  "AccessKeyId",
  "SignatureMethod",
  "Timestamp",
  "SignatureVersion",
  "SignatureNonce",
  "Signature",
  "RegionId"
])

export const readPathServer = async () => {
  const requests: Array<ReadPathRequest> = []
  const server = await hostileServer((request, response) => {
    const query = new URL(request.url ?? "/", "http://127.0.0.1").searchParams
    const action = query.get("Action") ?? String(request.headers["x-acs-action"])
    const params = Object.fromEntries([...query].filter(([key]) => !COMMON.has(key)))
    requests.push({ action, params })
    const name = BODIES[action]
    if (name === undefined) {
      response.writeHead(400, { "content-type": "application/json" })
      response.end(JSON.stringify({ RequestId: "r", Code: "InvalidAction.NotFound", Message: action }))
      return
    }
    const body = fixture(name)
    const list = LISTS[action]
    if (list !== undefined) {
      const [outer, inner] = list
      const all = body[outer]![inner]!
      const size = Number(params.PageSize)
      const page = Number(params.CurrentPage)
      Object.assign(body, { Total: all.length, PageSize: size, CurrentPage: page })
      Object.assign(body, { PageCount: Math.ceil(all.length / size) })
      body[outer]![inner] = all.slice((page - 1) * size, page * size)
    }
    response.writeHead(200, { "content-type": "application/json" })
    response.end(JSON.stringify(body))
  })
  return { url: server.url, requests }
}

/** Addresses: which hosts bind every interface, and what to tell a client to call instead. */
import { networkInterfaces } from "node:os"

/** `0.0.0.0`, `::` and their spellings: reachable from the network, but not an address to call. */
export const wildcardHost = (host: string): boolean =>
  host === "0.0.0.0" ||
  host === "::" ||
  host === "[::]" ||
  host === "" ||
  host === "::0" ||
  host === "0:0:0:0:0:0:0:0"

/** This machine's non-loopback addresses of the family the wildcard binds (IPv6 `::` also takes IPv4). */
export const externalAddresses = (host: string): ReadonlyArray<string> => {
  const found: Array<string> = []
  for (const entries of Object.values(networkInterfaces())) {
    for (const entry of entries ?? []) {
      if (entry.internal) continue
      if (entry.family === "IPv4" || host.includes(":")) found.push(entry.address)
    }
  }
  return found
}

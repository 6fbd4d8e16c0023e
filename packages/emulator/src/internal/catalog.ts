/**
 * The static part of the dataset: products → firmware → jobs, and the devices of each product. Everything not
 * given in the options is derived from the seed, each entity from its own named stream, so adding a job never
 * changes another one. Devices are addressed by index: device `i` of a product is the device of task `i` of
 * every generated job of that product, so the same device shows up in several batches, as in a real fleet.
 */
import type { FirmwareRecord, FirmwareSpec, JobSpec, ProductSpec } from "../Emulator.js"
import { ALPHANUMERIC, hashString, makeRandom, type Random, randomAt } from "./random.js"

interface ProductTemplate {
  readonly name: string
  readonly devicePrefix: string
}

const PRODUCTS: ReadonlyArray<ProductTemplate> = [
  { name: "SmartThermostat T3", devicePrefix: "thermo" },
  { name: "DoorLock Pro", devicePrefix: "lock" },
  { name: "AirPurifier X2", devicePrefix: "purifier" },
  { name: "EV Charger 22kW", devicePrefix: "evc" },
  { name: "Smart Meter M1", devicePrefix: "meter" },
  { name: "Edge Gateway G1", devicePrefix: "gw" },
  { name: "Leak Sensor", devicePrefix: "leak" },
  { name: "Street Light Controller", devicePrefix: "slc" }
]

/** A fixed anchor (the spec example's date) keeps generated timestamps identical for a seed. */
const ANCHOR = Date.UTC(2024, 8, 18, 9, 45, 34)
const DAY = 86_400_000

export const TYPE_TASK = "01"
const TYPE_FIRMWARE = "03"

/** Ids shaped like the documented ones: 20 random characters, a 2-digit type, 4 more (`y3tOmCDNgpR8F9jnVEzC01****`). */
export const platformId = (random: Random, type: string): string => random.chars(20) + type + random.chars(4)

const dayPrefixes = new Map<number, string>()
const two = (n: number): string => (n < 10 ? `0${n}` : String(n))

/** ISO 8601 UTC with `.000Z`, as the API writes times; the date part is cached (tasks share few days). */
export const iso = (ms: number): string => {
  const seconds = Math.floor(ms / 1000)
  const day = Math.floor(seconds / 86_400)
  let prefix = dayPrefixes.get(day)
  if (prefix === undefined) {
    prefix = new Date(day * DAY).toISOString().slice(0, 11)
    if (dayPrefixes.size > 10_000) dayPrefixes.clear()
    dayPrefixes.set(day, prefix)
  }
  const inDay = seconds - day * 86_400
  return `${prefix}${two(Math.floor(inDay / 3600))}:${two(Math.floor(inDay / 60) % 60)}:${two(inDay % 60)}.000Z`
}

// ---------------------------------------------------------------------------------------------------------
// Products and devices

const IOT_ID_SPACE = 62 ** 7

export interface ProductDef {
  readonly productKey: string
  readonly productName: string
  readonly devicePrefix: string
  /** Stream of device `i` (name variant and IotId). */
  readonly deviceHash: number
  /** IotIds end in 7 characters that encode `(offset + i) mod 62^7`, so an IotId leads back to its device. */
  readonly iotIdOffset: number
  /** Devices `0..population-1` exist (the largest generated job of the product). */
  population: number
  /** Devices named by explicit tasks: name → IotId, and back. */
  readonly customByName: Map<string, string>
  readonly customByIotId: Map<string, string>
}

const makeProduct = (seed: number, spec: ProductSpec): ProductDef => {
  const random = makeRandom(seed, `product:${spec.productKey}`)
  const template = random.pick(PRODUCTS)
  return {
    productKey: spec.productKey,
    productName: spec.productName ?? template.name,
    devicePrefix: template.devicePrefix,
    deviceHash: hashString(`devices:${spec.productKey}`),
    iotIdOffset: random.int(IOT_ID_SPACE),
    population: 0,
    customByName: new Map(),
    customByIotId: new Map()
  }
}

const encode7 = (value: number): string => {
  let out = ""
  let rest = value
  for (let i = 0; i < 7; i++) {
    out += ALPHANUMERIC[rest % 62]
    rest = Math.floor(rest / 62)
  }
  return out
}

const decode7 = (text: string): number | undefined => {
  let value = 0
  for (let i = 6; i >= 0; i--) {
    const digit = ALPHANUMERIC.indexOf(text.charAt(i))
    if (digit === -1) return undefined
    value = value * 62 + digit
  }
  return value
}

export interface Device {
  readonly deviceName: string
  readonly iotId: string
}

/** Device `index` of `product`: unique names as the platform allows them, ~10% needing URL encoding. */
export const deviceAt = (seed: number, product: ProductDef, index: number): Device => {
  const random = randomAt(seed, product.deviceHash, index)
  const serial = String(index + 1).padStart(5, "0")
  const roll = random.next()
  const prefix = product.devicePrefix
  const deviceName =
    roll < 0.9 ? `${prefix}-${serial}` : roll < 0.95 ? `${prefix}_${serial}@lab` : `${prefix}:${serial}.v2`
  const iotId = `${random.chars(20)}00${encode7((product.iotIdOffset + index) % IOT_ID_SPACE)}`
  return { deviceName, iotId }
}

/** The index of a generated device from its name, or undefined. */
export const deviceIndexOfName = (seed: number, product: ProductDef, name: string): number | undefined => {
  const prefix = product.devicePrefix
  if (!name.startsWith(prefix) || name.length <= prefix.length + 1) return undefined
  const match = /^[-_:](\d{5,7})(?:@lab|\.v2)?$/.exec(name.slice(prefix.length))
  if (match === null) return undefined
  const index = Number(match[1]) - 1
  if (index < 0 || index >= product.population) return undefined
  return deviceAt(seed, product, index).deviceName === name ? index : undefined
}

/** The index of a generated device from its IotId, or undefined. */
export const deviceIndexOfIotId = (seed: number, product: ProductDef, iotId: string): number | undefined => {
  if (iotId.length !== 29) return undefined
  const encoded = decode7(iotId.slice(22))
  if (encoded === undefined) return undefined
  const index = (((encoded - product.iotIdOffset) % IOT_ID_SPACE) + IOT_ID_SPACE) % IOT_ID_SPACE
  if (index >= product.population) return undefined
  return deviceAt(seed, product, index).iotId === iotId ? index : undefined
}

/** A stable IotId for a device named by an explicit task (not decodable: kept in the product's maps). */
export const customIotId = (seed: number, product: ProductDef, deviceName: string): string => {
  const random = makeRandom(seed, `device:${product.productKey}:${deviceName}`)
  return `${random.chars(20)}00${random.chars(7)}`
}

// ---------------------------------------------------------------------------------------------------------
// Firmware

export interface FirmwareDef {
  /** Replaced once the jobs are known: firmware that no job upgrades to is not verified yet. */
  record: FirmwareRecord
  readonly product: ProductDef
  readonly createdAt: number
  /** Versions devices are upgraded from: the source of a differential package, else a few older ones. */
  readonly srcVersions: ReadonlyArray<string>
  /** Jobs of this firmware, in the order given. */
  readonly jobs: Array<JobDef>
}

const FIRMWARE_NOTES: ReadonlyArray<string> = [
  "fixes reconnect loop after Wi-Fi roaming",
  "security patch: TLS certificate pinning",
  "lower standby power",
  "new scheduling engine",
  "stability fixes for weak networks"
]

const hex = (random: Random, length: number): string => random.chars(length, "0123456789abcdef")

const makeFirmware = (seed: number, spec: FirmwareSpec, product: ProductDef): FirmwareDef => {
  const random = makeRandom(seed, `firmware:${spec.firmwareId}`)
  const major = 1 + random.int(4)
  const minor = random.int(10)
  const patch = random.int(10)
  const destVersion = spec.destVersion ?? `${major}.${minor}.${patch + 1}`
  const differential = spec.srcVersion !== undefined || random.next() < 0.2
  const srcVersion = spec.srcVersion ?? (differential ? `${major}.${minor}.${patch}` : undefined)
  const srcVersions =
    srcVersion !== undefined
      ? [srcVersion]
      : [
          `${major}.${minor}.${patch}`,
          `${major}.${Math.max(0, minor - 1)}.${random.int(10)}`,
          `${Math.max(1, major - 1)}.${random.int(10)}.${random.int(10)}`
        ].filter((version, i, all) => version !== destVersion && all.indexOf(version) === i)
  const createdAt = ANCHOR - (60 + random.int(60)) * DAY - random.int(86_400) * 1000
  const signMethod = random.next() < 0.85 ? "MD5" : "SHA256"
  const moduleName = spec.moduleName ?? "default"
  const name = spec.name ?? `${product.devicePrefix}-fw-${destVersion}${differential ? "-diff" : ""}`
  const file = hex(random, 32)
  const record: FirmwareRecord = {
    FirmwareId: spec.firmwareId,
    FirmwareName: name,
    FirmwareDesc: random.pick(FIRMWARE_NOTES),
    ProductKey: product.productKey,
    ProductName: product.productName,
    ModuleName: moduleName,
    ...(srcVersion === undefined ? {} : { SrcVersion: srcVersion }),
    DestVersion: destVersion,
    Type: differential ? 1 : 0,
    Status: 1,
    VerifyProgress: 100,
    FirmwareUrl: `https://iotx-ota.oss-cn-shanghai.aliyuncs.com/ota/${hex(random, 32)}/${file}.bin?Expires=1893456000&OSSAccessKeyId=EMULATORKEYID&Signature=EMULATORSIGNATURE`,
    FirmwareSize: (differential ? 40_000 : 400_000) + random.int(2_000_000),
    FirmwareSign: signMethod === "MD5" ? hex(random, 32) : hex(random, 64),
    SignMethod: signMethod,
    UtcCreate: iso(createdAt),
    UtcModified: iso(createdAt + random.int(3600) * 1000)
  }
  return { record, product, createdAt, srcVersions, jobs: [] }
}

// ---------------------------------------------------------------------------------------------------------
// Jobs

/** What a job is, apart from its tasks. */
export interface JobDef {
  readonly jobId: string
  readonly ordinal: number
  readonly spec: JobSpec
  readonly firmware: FirmwareDef
  readonly product: ProductDef
  readonly name: string
  readonly description: string
  readonly targetSelection: "ALL" | "SPECIFIC" | "GRAY"
  readonly grayPercent: string | undefined
  readonly timeoutMinutes: number | undefined
  /** `timeoutMinutes` as the tasks' `Timeout` string. */
  readonly timeoutText: string | undefined
  readonly retry: { readonly interval: number; readonly count: number } | undefined
  readonly maximumPerMinute: number
  readonly needConfirm: boolean
  readonly overwriteMode: number
  readonly tags: ReadonlyArray<{ readonly Key: string; readonly Value: string }>
  /** Epoch ms the batch (and its tasks) were created, for static jobs. */
  readonly createdAt: number
  /** Stream of task `i`. */
  readonly taskHash: number
  readonly rolloutHash: number
}

const makeJob = (seed: number, spec: JobSpec, ordinal: number, firmware: FirmwareDef): JobDef => {
  const random = makeRandom(seed, `job:${spec.jobId}`)
  const targetSelection = random.pick(["ALL", "ALL", "SPECIFIC", "GRAY"] as const)
  const timeoutMinutes = random.pick([undefined, 1440, 1440, 60, 30])
  const retry =
    random.next() < 0.5 ? { interval: random.pick([10, 30, 60]), count: random.pick([1, 2, 5]) } : undefined
  const wave = 1 + firmware.jobs.length
  const createdAt = Math.min(
    ANCHOR,
    firmware.createdAt + (2 + random.int(20)) * DAY + random.int(86_400) * 1000
  )
  return {
    jobId: spec.jobId,
    ordinal,
    spec,
    firmware,
    product: firmware.product,
    // The docs describe QueryOTAJob's `Name` as the update package's name.
    name: spec.name ?? firmware.record.FirmwareName,
    description: `${firmware.record.DestVersion} to ${firmware.product.productName}, wave ${wave}`,
    targetSelection,
    grayPercent: targetSelection === "GRAY" ? random.pick(["10.00", "25.00", "50.00"]) : undefined,
    timeoutMinutes,
    timeoutText: timeoutMinutes === undefined ? undefined : String(timeoutMinutes),
    retry,
    maximumPerMinute: random.pick([1000, 5000, 10000]),
    needConfirm: false,
    overwriteMode: random.pick([1, 1, 2]),
    tags: [{ Key: "wave", Value: String(wave) }],
    createdAt,
    taskHash: hashString(`task:${spec.jobId}`),
    rolloutHash: hashString(`rollout:${spec.jobId}`)
  }
}

// ---------------------------------------------------------------------------------------------------------
// The catalog

export interface Catalog {
  readonly products: ReadonlyMap<string, ProductDef>
  /** In the order given, then implied ones in job order. */
  readonly firmware: ReadonlyMap<string, FirmwareDef>
  readonly jobs: ReadonlyMap<string, JobDef>
}

export interface CatalogInput {
  readonly seed: number
  readonly products: ReadonlyArray<ProductSpec>
  readonly firmware: ReadonlyArray<FirmwareSpec>
  readonly jobs: ReadonlyArray<JobSpec>
}

/** The firmware a job without `firmwareId` implies: its id comes from the job's own stream. */
const impliedFirmwareId = (seed: number, jobId: string): string =>
  platformId(makeRandom(seed, `firmware-of:${jobId}`), TYPE_FIRMWARE)

/** The product a firmware without `productKey` implies. */
const impliedProductKey = (seed: number, firmwareId: string): string =>
  `a1${makeRandom(seed, `product-of:${firmwareId}`).chars(9)}`

export const buildCatalog = (input: CatalogInput): Catalog => {
  const { seed } = input
  const products = new Map<string, ProductDef>()
  const product = (spec: ProductSpec): ProductDef => {
    let found = products.get(spec.productKey)
    if (found === undefined) {
      found = makeProduct(seed, spec)
      products.set(spec.productKey, found)
    }
    return found
  }
  for (const spec of input.products) product(spec)

  const firmware = new Map<string, FirmwareDef>()
  const addFirmware = (spec: FirmwareSpec): FirmwareDef => {
    let found = firmware.get(spec.firmwareId)
    if (found === undefined) {
      const owner = product({ productKey: spec.productKey ?? impliedProductKey(seed, spec.firmwareId) })
      found = makeFirmware(seed, spec, owner)
      firmware.set(spec.firmwareId, found)
    }
    return found
  }
  for (const spec of input.firmware) addFirmware(spec)

  const jobs = new Map<string, JobDef>()
  input.jobs.forEach((spec, ordinal) => {
    const owner = addFirmware({ firmwareId: spec.firmwareId ?? impliedFirmwareId(seed, spec.jobId) })
    const job = makeJob(seed, spec, ordinal, owner)
    owner.jobs.push(job)
    jobs.set(spec.jobId, job)
  })
  // Firmware nobody upgrades to has not been verified yet.
  for (const def of firmware.values()) {
    if (def.jobs.length === 0) {
      def.record = { ...def.record, Status: 0, VerifyProgress: 0 }
    }
  }
  return { products, firmware, jobs }
}

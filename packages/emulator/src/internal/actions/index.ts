/** The table of every action the emulator serves: one line per handler (see `../registry.ts`). */
import { ActionRegistry } from "../registry.js"
import { assumeRole } from "./assumeRole.js"
import { assumeRoleWithOIDC } from "./assumeRoleWithOIDC.js"
import { listOTAFirmware } from "./listOTAFirmware.js"
import { listOTAJobByDevice } from "./listOTAJobByDevice.js"
import { listOTAJobByFirmware } from "./listOTAJobByFirmware.js"
import { listOTATaskByJob } from "./listOTATaskByJob.js"
import { listOTAUnfinishedTaskByDevice } from "./listOTAUnfinishedTaskByDevice.js"
import { queryOTAFirmware } from "./queryOTAFirmware.js"
import { queryOTAJob } from "./queryOTAJob.js"

export const REGISTRY = new ActionRegistry([
  listOTATaskByJob,
  listOTAFirmware,
  queryOTAFirmware,
  listOTAJobByFirmware,
  queryOTAJob,
  listOTAJobByDevice,
  listOTAUnfinishedTaskByDevice,
  assumeRole,
  assumeRoleWithOIDC
])

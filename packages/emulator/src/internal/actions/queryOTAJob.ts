/** QueryOTAJob: one batch in full, under `Data`; its status follows its tasks. */
import { jobNotFound } from "../errors.js"
import { required } from "../params.js"
import { answer, defineAction, failed, IOT } from "../registry.js"
import { recordJson, resultBody } from "../serialize.js"

export const queryOTAJob = defineAction({
  action: "QueryOTAJob",
  family: IOT,
  handle: ({ params, world, casing, requestId, now }) => {
    const jobId = required(params, "JobId")
    if (!jobId.ok) return jobId
    const job = world.catalog.jobs.get(jobId.value)
    if (job === undefined) return failed(jobNotFound(jobId.value))
    return answer(resultBody(casing, requestId, "Data", recordJson(world.jobRecord(job, now), casing)))
  }
})

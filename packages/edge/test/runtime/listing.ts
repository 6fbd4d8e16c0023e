/**
 * The program the real-runtime tests run (bundled for Deno, and for workerd
 * behind a tiny fetch handler): list every task of a job with the options it
 * is given and describe the outcome as JSON, never including the secret.
 */
import { ApiError, isAuthError, isOtaError, OtaClient, type OtaClientExplicitOptions } from "@iot-ota/edge"

export interface ListingRequest {
  readonly options: OtaClientExplicitOptions
  readonly jobId: string
  readonly concurrency?: number
}

export type ListingOutcome =
  | { readonly ok: true; readonly taskIds: ReadonlyArray<string>; readonly userAgent: string }
  | {
      readonly ok: false
      readonly error: {
        readonly tag: string
        readonly message: string
        readonly code?: string
        readonly httpStatus?: number
        readonly isOtaError: boolean
        readonly isAuthError: boolean
        readonly instanceOfApiError: boolean
      }
    }

export const listAll = async (request: ListingRequest): Promise<ListingOutcome> => {
  const client = new OtaClient(request.options)
  try {
    const taskIds: Array<string> = []
    for await (const task of client.paginateOTATaskByJob(
      { jobId: request.jobId, pageSize: 50 },
      { concurrency: request.concurrency }
    )) {
      taskIds.push(task.taskId)
    }
    return { ok: true, taskIds, userAgent: client.config.userAgent }
  } catch (error) {
    if (!isOtaError(error)) throw error
    return {
      ok: false,
      error: {
        tag: error._tag,
        message: error.message,
        ...("code" in error ? { code: error.code } : {}),
        ...("httpStatus" in error ? { httpStatus: error.httpStatus } : {}),
        isOtaError: true,
        isAuthError: isAuthError(error),
        instanceOfApiError: error instanceof ApiError
      }
    }
  } finally {
    await client.close()
  }
}

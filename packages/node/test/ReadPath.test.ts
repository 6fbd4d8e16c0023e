/**
 * The read path's generated methods (firmware → jobs → unfinished tasks) through the public `@iot-ota/node`
 * client, over real HTTP on 127.0.0.1, with both signature algorithms: each sends its operation's documented
 * parameters and decodes the documented example answer; listings page; bad input is refused before any request.
 * The cases are core's shared read-path suite (`packages/core/test/helpers/readPathSuite.ts`), which the edge
 * package runs through its own client.
 */
import { readPathSuite } from "../../core/test/helpers/readPathSuite.js"
import { OtaClient, ValidationError } from "../src/index.js"

// No profile file of whoever runs the tests is read.
readPathSuite((options) => new OtaClient({ ...options, profileFile: "/nonexistent" }), ValidationError)

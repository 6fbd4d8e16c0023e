/**
 * The read path's generated methods (firmware → jobs → unfinished tasks) through the public `@iot-ota/edge`
 * client and the global `fetch`, over real HTTP on 127.0.0.1, with both signature algorithms: each sends its
 * operation's documented parameters and decodes the documented example answer; listings page; bad input is
 * refused before any request. The cases are core's shared read-path suite
 * (`packages/core/test/helpers/readPathSuite.ts`), which the node package runs through its own client.
 */
import { readPathSuite } from "../../core/test/helpers/readPathSuite.js"
import { OtaClient, ValidationError } from "../src/index.js"

readPathSuite((options) => new OtaClient(options), ValidationError)

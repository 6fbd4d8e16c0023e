/** @since 0.1.0 */
export const placeholder = true

/** The public API of catalog-sync, for configuration files and mapping modules. */
export { defineConfig } from "./config/SyncConfig.js"
export type { ConfigInput, ResolvedConfig } from "./config/SyncConfig.js"
export { CatalogProduct } from "./domain/CatalogProduct.js"
export { defineMapping } from "./mapping/Mapping.js"
export type { FieldMapping, MappingInput, Target as MappingTarget } from "./mapping/Mapping.js"

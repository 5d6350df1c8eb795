// Odoo's product import template (Inventory/Sales > Products > Import > "Import Template"):
// ../shared/samples/csv/odoo_product_template_import_template.csv, columns
//   ID, Name, Product Type, Internal Reference, Barcode, Sales Price, Cost, Weight, Sale Description
//
// Dialect (sync.config.ts → erp.dialect): { delimiter: ",", decimal: "point" } — UTF-8, no BOM.
//
// The key is Odoo's external ID ("product_template_1"), which every row has and which never
// changes, kept in a Pipedrive text field; the Internal Reference (empty for services) becomes the
// Pipedrive product code like any other field. Prices are in the Odoo company's currency: EUR here,
// change the three `prices.EUR.*` / `currency` entries if yours differs.
//
// The Pipedrive account needs:
//   - currency EUR
//   - custom product fields: "Odoo ID" (text, the key), "Product Type" (single option with the
//     options Goods and Service), "Barcode" (text), "Weight (kg)" (numerical)
//   or set `createMissingFields: true` below and the dry run lists the fields it would create.
import { defineMapping } from "catalog-sync"

export default defineMapping({
  key: { erp: "ID", pipedrive: "custom.Odoo ID" },
  fields: {
    name: { erp: "Name" },
    code: { erp: "Internal Reference" },
    // Sales staff keep the description up to date in Pipedrive; Odoo gets their text back.
    description: { erp: "Sale Description", direction: "both", owner: "pipedrive" },
    "prices.EUR.price": { erp: "Sales Price" },
    "prices.EUR.cost": { erp: "Cost" },
    // Odoo's product types, spelt as the Pipedrive options are.
    "custom.Product Type": { erp: "Product Type", type: { enum: { Consumable: "Goods", "Storable Product": "Goods", Service: "Service" } } },
    "custom.Barcode": { erp: "Barcode" },
    "custom.Weight (kg)": { erp: "Weight", type: "decimal" }
  }
})

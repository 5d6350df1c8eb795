// The mapping of the bundled demo catalog (fixtures/demo-catalog.csv) to Pipedrive products.
import { defineMapping } from "catalog-sync"

export default defineMapping({
  key: { erp: "sku", pipedrive: "code" },
  fields: {
    name: { erp: "name" },
    description: { erp: "description", direction: "both", owner: "pipedrive" },
    unit: { erp: "unit" },
    tax: { erp: "tax_rate", type: "decimal" },
    linkable: { erp: "active", type: "boolean", booleans: { true: ["1"], false: ["0"] } },
    "prices.EUR.price": { erp: "price_eur", type: "decimal" },
    "prices.EUR.cost": { erp: "cost_eur", type: "decimal" },
    "prices.USD.price": { erp: "price_usd", type: "decimal" },
    "prices.CHF.price": { erp: "price_chf", type: "decimal" },
    "custom.Brand": { erp: "brand" },
    "custom.Warranty (months)": { erp: "warranty_months", type: "decimal" },
    "custom.Color": { erp: "color" }
  }
})

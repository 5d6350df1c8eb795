// A Shopware 5 article price import/export (SwagImportExport "article prices" profile), as in
// ../shared/samples/csv/shopware5_article_prices_decimal_comma.csv, columns
//   ordernumber, price, pricegroup, from, pseudoprice, _name, _additionaltext, _supplier, purchaseprice
//
// Dialect (sync.config.ts → erp.dialect): { delimiter: ";", decimal: "comma" } — UTF-8, no BOM.
// Prices mix decimal commas and whole numbers ("59,99", "199").
//
// The file has one row per variant order number, price group and quantity tier. This mapping is for
// a file with one row per order number — the default customer group (pricegroup "EK") from quantity
// 1, as exported here; export other groups or tiers to their own files. `price` is taken as the
// EUR price as Shopware stores it for that group (check whether your group's prices are gross or
// net). `pricegroup` and `from` are not synced.
//
// The product name is the article name and the variant text ("Münsterländer Lagerkorn 32%" +
// "0,5 Liter"); being computed, it flows to Pipedrive only. Shopware writes 0 for "no pseudo price"
// and "no purchase price"; a cost of 0 equals an empty cost, and a pseudo price of 0 is read as
// empty by its `compute`.
//
// The Pipedrive account needs:
//   - currency EUR
//   - custom product fields: "Supplier" (text), "Pseudo price" (numerical)
import { defineMapping } from "catalog-sync"

export default defineMapping({
  key: { erp: "ordernumber" },
  fields: {
    name: {
      erp: ["_name", "_additionaltext"],
      // compute sees a cell that reads as a number as one ("1,5" → 1.5): spell it back with a comma.
      compute: ({ _name, _additionaltext }) =>
        [_name, _additionaltext].flatMap((c) => (typeof c === "number" ? [String(c).replace(".", ",")] : typeof c === "string" ? [c] : [])).join(" ") || null
    },
    "prices.EUR.price": { erp: "price" },
    "prices.EUR.cost": { erp: "purchaseprice" },
    "custom.Supplier": { erp: "_supplier" },
    "custom.Pseudo price": { erp: ["pseudoprice"], compute: ({ pseudoprice }) => (typeof pseudoprice === "number" && pseudoprice !== 0 ? pseudoprice : null) }
  }
})

// A JTL-Wawi article export (German ERP), as in
// ../shared/samples/csv/jtl_wawi_export_de_mixed_decimals.csv, columns
//   Artikelnummer, GTIN, Artikelname, Menge, Umsatz Netto, Idealo Link, Brutto-VK, Netto-VK,
//   Durchschnittlicher Einkaufspreis (netto), UVP, Steuersatz in %, JTL-Wawi: Endkunden Netto,
//   JTL-Wawi: Endkunden Brutto, Idealo Clicks 30 Tage
//
// Dialect (sync.config.ts → erp.dialect): { delimiter: ",", decimal: "comma" } — UTF-8 with a BOM
// (detected). Prices and the tax rate are quoted with a decimal comma ("34,95", "19,00"); the
// revenue column "Umsatz Netto" is written with a decimal point ("21454.58") except for a few rows
// ("962,04"), so that one column reads each value by its own separator (`decimal: "auto"`).
//
// Pipedrive prices are net: the net sales price (Netto-VK) is the EUR price and the average net
// purchase price (EK) the EUR cost; the tax rate goes to the product's tax. The gross price is
// not synced: Pipedrive adds the tax itself.
//
// The Pipedrive account needs:
//   - currency EUR
//   - custom product fields: "GTIN" (text), "RRP" (monetary), "Revenue (net)" (monetary),
//     "Margin %" (numerical), "Idealo link" (text)
import { defineMapping } from "catalog-sync"

export default defineMapping({
  key: { erp: "Artikelnummer" },
  fields: {
    name: { erp: "Artikelname" },
    tax: { erp: "Steuersatz in %" },
    "prices.EUR.price": { erp: "Netto-VK" },
    "prices.EUR.cost": { erp: "Durchschnittlicher Einkaufspreis (netto)" },
    // GTINs are digits, but an identifier: kept as text so leading zeros stay.
    "custom.GTIN": { erp: "GTIN", type: "text" },
    "custom.RRP": { erp: "UVP", currency: "EUR" },
    "custom.Revenue (net)": { erp: "Umsatz Netto", decimal: "auto", currency: "EUR" },
    // Computed, so it only flows to Pipedrive: the gross margin on the net price, in percent.
    "custom.Margin %": {
      erp: ["Netto-VK", "Durchschnittlicher Einkaufspreis (netto)"],
      compute: (cells) => {
        const net = cells["Netto-VK"]
        const cost = cells["Durchschnittlicher Einkaufspreis (netto)"]
        if (typeof net !== "number" || typeof cost !== "number" || net === 0) return null
        return Math.round(((net - cost) / net) * 10_000) / 100
      }
    },
    "custom.Idealo link": { erp: "Idealo Link" }
  }
})

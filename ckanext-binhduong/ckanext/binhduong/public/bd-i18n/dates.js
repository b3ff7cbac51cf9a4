/* Vietnamese dates as dd/mm/yyyy in the browser too. CKAN's main.js rewrites every
 * .automatic-local-datetime with moment's "LL, LT" and the DataTables preview formats date
 * columns with moment ("llll" by default); moment's Vietnamese long formats spell the month
 * out ("26 tháng 11 năm 2026"). Loaded by templates/base.html on Vietnamese pages only; it
 * runs at DOMContentLoaded, before jQuery's ready handlers (registered later), so before
 * CKAN converts the dates. */
document.addEventListener('DOMContentLoaded', function () {
  if (!window.moment) {
    return;
  }
  window.moment.updateLocale('vi', {
    longDateFormat: {
      LT: 'HH:mm',
      LTS: 'HH:mm:ss',
      L: 'DD/MM/YYYY',
      LL: 'DD/MM/YYYY',
      LLL: 'DD/MM/YYYY HH:mm',
      LLLL: 'dddd, DD/MM/YYYY HH:mm',
      l: 'DD/MM/YYYY',
      ll: 'DD/MM/YYYY',
      lll: 'DD/MM/YYYY HH:mm',
      llll: 'ddd, DD/MM/YYYY HH:mm'
    }
  });
});

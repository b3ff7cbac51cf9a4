/* Vietnamese titles make readable URLs: "Trạm BTS theo phường" -> "tram-bts-theo-phuong".
 * CKAN's slugify maps each character through a table that lacks Vietnamese letters and turns
 * them into hyphens; removing the diacritics first (NFD, then đ -> d) fixes that. */
(function ($) {
  if (!$ || !$.url || !$.url.slugify) { return; }
  var slugify = $.url.slugify;
  $.url.slugify = function (string, trim) {
    var plain = String(string || '')
      .normalize('NFD').replace(/[\u0300-\u036f]/g, '')
      .replace(/đ/g, 'd').replace(/Đ/g, 'D');
    return slugify.call($.url, plain, trim);
  };
})(window.jQuery);

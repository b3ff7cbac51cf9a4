/* The bd_map resource view (map_view.py): GeoJSON or a DataStore table's points on a Leaflet
 * map. Property values come from publishers, so they reach popups only through textContent,
 * never as markup. The element gets data-state="ready" (with data-points) or
 * data-state="problem" (with data-problem) when done, for people and tests alike. */
ckan.module("bd-map", function () {
  "use strict";

  var POINT_STYLE = {radius: 7, color: "#0d4f6b", weight: 2, fillColor: "#1b8ab8", fillOpacity: 0.8,
                     className: "bd-map-point"};
  var SHAPE_STYLE = {color: "#0d4f6b", weight: 2, fillOpacity: 0.2};
  var COMMUNE_ZOOM = 12;  // commune names from this zoom on (the offline background)

  function text(value) {
    if (value === null || value === undefined) { return ""; }
    if (typeof value === "object") { return JSON.stringify(value); }
    return String(value);
  }

  function popupContent(properties, order, labels) {
    var table = document.createElement("table");
    table.className = "table table-sm bd-map-popup";
    var keys = (order || []).filter(function (key) { return Object.prototype.hasOwnProperty.call(properties, key); });
    Object.keys(properties).forEach(function (key) { if (keys.indexOf(key) < 0) { keys.push(key); } });
    keys.forEach(function (key) {
      var row = table.insertRow();
      var name = document.createElement("th");
      name.scope = "row";
      name.textContent = labels && typeof labels[key] === "string" && labels[key] ? labels[key] : key;
      row.appendChild(name);
      row.insertCell().textContent = text(properties[key]);
    });
    return table;
  }

  function inWgs84(bounds) {
    return bounds.isValid() && bounds.getSouth() >= -90 && bounds.getNorth() <= 90 &&
      bounds.getWest() >= -180 && bounds.getEast() <= 180;
  }

  return {
    initialize: function () {
      var root = this.el[0];
      var problem = root.getAttribute("data-problem");
      if (problem) { this.fail(problem); return; }
      if (typeof L === "undefined") { this.fail("error"); return; }
      var inline = root.querySelector("script.bd-map-data");
      var url = root.getAttribute("data-geojson-url");
      var self = this;
      if (inline) {
        var data;
        try { data = JSON.parse(inline.textContent); } catch (error) { this.fail("error"); return; }
        this.draw(data);
      } else if (url) {
        fetch(url, {credentials: "same-origin", headers: {"Accept": "application/geo+json, application/json"}})
          .then(function (response) {
            if (!response.ok) { throw new Error("HTTP " + response.status); }
            return response.json();
          })
          .then(function (data) { self.draw(data); })
          .catch(function (error) {
            if (window.console) { window.console.warn("bd-map: cannot load " + url + ": " + error); }
            self.fail("error");
          });
      } else {
        this.fail("no_coordinates");
      }
    },

    fail: function (problem) {
      var root = this.el[0];
      root.querySelectorAll(".bd-map-loading, .bd-map-canvas").forEach(function (element) { element.hidden = true; });
      var message = root.querySelector('[data-bd-map-message="' + problem + '"]') ||
        root.querySelector('[data-bd-map-message="error"]');
      message.hidden = false;
      root.setAttribute("data-state", "problem");
      root.setAttribute("data-problem", problem);
    },

    draw: function (data) {
      var root = this.el[0];
      var points = 0;
      var layer;
      var order = data && Array.isArray(data.columns) ? data.columns : null;
      // Column labels from the table's data dictionary (map_view.py), else the column names.
      var labels = data && data.labels && typeof data.labels === "object" ? data.labels : null;
      try {
        layer = L.geoJSON(data, {
          filter: function (feature) { return !feature || feature.type !== "Feature" || !!feature.geometry; },
          pointToLayer: function (feature, latlng) { points += 1; return L.circleMarker(latlng, POINT_STYLE); },
          style: function (feature) {
            var type = feature && feature.geometry && feature.geometry.type;
            return type === "Point" || type === "MultiPoint" ? POINT_STYLE : SHAPE_STYLE;
          },
          onEachFeature: function (feature, featureLayer) {
            var properties = feature.properties;
            if (properties && typeof properties === "object" && Object.keys(properties).length) {
              featureLayer.bindPopup(function () { return popupContent(properties, order, labels); }, {maxWidth: 360});
            }
          }
        });
      } catch (error) {
        if (window.console) { window.console.warn("bd-map: not GeoJSON: " + error); }
        this.fail("no_coordinates");
        return;
      }
      if (!layer.getLayers().length || !inWgs84(layer.getBounds())) { this.fail("no_coordinates"); return; }

      root.querySelector(".bd-map-loading").hidden = true;
      var map = L.map(root.querySelector(".bd-map-canvas"), {zoomControl: false});
      L.control.zoom({zoomInTitle: root.getAttribute("data-zoom-in") || "+",
                      zoomOutTitle: root.getAttribute("data-zoom-out") || "-"}).addTo(map);
      map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
      var tileUrl = root.getAttribute("data-tile-url");
      if (tileUrl) {
        L.tileLayer(tileUrl, {attribution: root.getAttribute("data-tile-attribution") || "", maxZoom: 19}).addTo(map);
      }
      var basemapData = root.querySelector("script.bd-map-basemap");
      var basemapAttribution = root.getAttribute("data-basemap-attribution");
      if (!tileUrl && basemapData && basemapAttribution) {
        // Leaflet takes attribution as markup: ours is plain text, escaped.
        map.attributionControl.addAttribution(basemapAttribution.replace(/&/g, "&amp;").replace(/</g, "&lt;")
                                              .replace(/>/g, "&gt;"));
      }
      var showPlaces = function () {};
      if (!tileUrl && basemapData) {
        // The offline background: province outlines, the home province stronger, names as labels.
        try {
          var background = JSON.parse(basemapData.textContent);
          L.geoJSON(background, {
            interactive: false,
            style: function (feature) {
              var home = feature.properties && feature.properties.home;
              return {color: home ? "#0b4a8b" : "#8a9bb0", weight: home ? 2.5 : 1, fillColor: home ? "#fdf6df" : "#eef1f5",
                      fillOpacity: 1, className: "bd-map-province"};
            },
            onEachFeature: function (feature, provinceLayer) {
              provinceLayer.bindTooltip(String(feature.properties.name || ""),
                {permanent: true, direction: "center", className: "bd-map-place-name", interactive: false});
            }
          }).addTo(map);
          // Rivers (GSHHG, map_view.rivers) over the provinces, under the names and the points.
          // In a group: a path added to the map itself before its first view would make the
          // vector renderer too early for the layers queued before it.
          var riverLines = L.layerGroup();
          (background.rivers || []).forEach(function (line) {
            if (!Array.isArray(line) || line.length < 2) { return; }
            L.polyline(line.map(function (point) { return [point[1], point[0]]; }),
                       {color: "#3d8fd1", weight: 1.6, opacity: 0.9, interactive: false,
                        className: "bd-map-river"}).addTo(riverLines);
          });
          riverLines.addTo(map);
          // The home province's districts and communes (until 30/6/2025) by name at their
          // centres (map_view.home_places): districts always, communes once zoomed in.
          var districts = L.layerGroup(), communes = L.layerGroup();
          (background.places || []).forEach(function (place) {
            var district = place.kind === "district";
            L.circleMarker([place.lat, place.lon], {radius: district ? 3 : 2, weight: 1, color: "#4f5b67",
                                                    fillColor: "#4f5b67", fillOpacity: 1, interactive: false})
              .bindTooltip(String(place.name || ""), {permanent: true, direction: "top", offset: [0, -2], interactive: false,
                                                      className: "bd-map-place-name bd-map-" + (district ? "district" : "commune")})
              .addTo(district ? districts : communes);
          });
          districts.addTo(map);
          showPlaces = function () {
            if (map.getZoom() >= COMMUNE_ZOOM) { communes.addTo(map); } else { map.removeLayer(communes); }
          };
          map.on("zoomend", showPlaces);
        } catch (error) {
          if (window.console) { window.console.warn("bd-map: no background: " + error); }
        }
      }
      L.control.scale({imperial: false}).addTo(map);
      layer.addTo(map);
      map.fitBounds(layer.getBounds().pad(0.05), {maxZoom: 13});
      showPlaces();
      root.setAttribute("data-points", String(points));
      root.setAttribute("data-state", "ready");
    }
  };
});

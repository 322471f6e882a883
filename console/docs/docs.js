/* global fetch, window */
// The API reference: swagger-ui renders the API's own /openapi.json. The console's
// config.json names the API (the same origin locally; the stage's API in AWS).
fetch('../console/config.json')
  .then((res) => (res.ok ? res.json() : {}))
  .catch(() => ({}))
  .then((config) => {
    window.SwaggerUIBundle({
      url: `${config.apiUrl || ''}/openapi.json`,
      dom_id: '#swagger-ui',
      deepLinking: true,
    });
  });

// The interactive API reference at /docs: Swagger UI (loaded before this module) on the app's own schema.

const root = document.getElementById('swagger-ui');
window.SwaggerUIBundle({
  url: root.dataset.openapiUrl,
  domNode: root,
  deepLinking: true,
  tryItOutEnabled: true,
});

/** The service's name on every log line and metric (the Lambdas also get it as `POWERTOOLS_SERVICE_NAME`). */
export const SERVICE_NAME = 'inference-instances';

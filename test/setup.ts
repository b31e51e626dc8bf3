// The AWS SDK warns once per process that its 2027 releases will need Node 22 (see bin/firedrill.js).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

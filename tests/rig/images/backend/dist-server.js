// The real image starts `dumb-init node dist/server.js` in /app/backend; so does the stand-in.
require('../server.js');

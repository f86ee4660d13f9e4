export { startNatsServer, freePort, type NatsServer } from './nats-server.ts'
export { waitFor, waitForPort } from './wait.ts'
export { createTestDatabase, TEST_DATABASE_URL } from './postgres.ts'
export { startServiceProcess, type ServiceProcess } from './service-process.ts'

// What `azd up` deploys: one resource group holding the function app on the Flex Consumption plan,
// its storage account (no keys: the app signs in with its managed identity), and monitoring.
// Plain resource declarations in a local module only: no registry modules, so it builds offline.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Name of the azd environment; it names the resource group and seeds the unique names.')
param environmentName string

@minLength(1)
@description('Region of every resource; it must offer the Flex Consumption plan.')
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('Object id of the user running azd, given data roles to try the app (enqueue work, read reports). Empty for none.')
param principalId string = ''

@allowed([
  'User'
  'ServicePrincipal'
])
@description('What principalId is: a signed-in user, or a pipeline\'s service principal.')
param principalType string = 'User'

@allowed([
  512
  2048
  4096
])
@description('Memory of each instance in MB; the plan bills GB-seconds of this size.')
param instanceMemoryMB int = 2048

@minValue(1)
@maxValue(1000)
@description('Upper bound of instances the plan scales out to: a cap on cost and on load on storage.')
param maximumInstanceCount int = 100

@minValue(0)
@maxValue(20)
@description('Instances kept running for the HTTP functions (Hello, ReplayDeadLetters) even when idle: no cold start, but billed all the time.')
param alwaysReadyHttpInstances int = 0

@minValue(0)
@maxValue(20)
@description('Instances kept running for the queue function (ProcessWorkItem) even when idle: billed all the time.')
param alwaysReadyQueueInstances int = 0

@minValue(1)
@description('Days after which blobs in the notification-keys container (remembered idempotency keys) are deleted.')
param expireBlobsAfterDays int = 30

// The app's settings (README "Settings"), with the app's own defaults.
@description('WorkItemsQueueName: the queue the dispatcher listens on.')
param workItemsQueueName string = 'work-items'

@description('Dispatch__DeadLetterQueueName: where permanent failures are parked; the platform\'s poison queue by default.')
param deadLetterQueueName string = '${workItemsQueueName}-poison'

@description('Dispatch__DeadLetterContainerName: parked bodies too large for their envelope.')
param deadLetterContainerName string = 'dead-letters'

@minValue(16)
@maxValue(65536)
@description('Dispatch__MaxMessageBytes: the largest accepted message text.')
param maxMessageBytes int = 65536

@description('Reports__ContainerName: where reports are written.')
param reportsContainerName string = 'reports'

@description('Notifications__OutboxQueueName: the queue the default notification sender writes to.')
param outboxQueueName string = 'notifications'

@description('Notifications__SentKeysContainerName: the idempotency keys of sent notifications.')
param sentKeysContainerName string = 'notification-keys'

@minValue(1)
@maxValue(200)
@description('Replay__TimeBudgetSeconds: how long one replay call works before it answers with what remains (Azure ends HTTP requests after 230 s).')
param replayTimeBudgetSeconds int = 120

@minValue(1)
@maxValue(128)
@description('Replay__Parallelism: how many dead-lettered messages one replay call moves at once.')
param replayParallelism int = 32

@minValue(-1)
@description('Dispatch__DeadLetterTimeToLiveSeconds: seconds a dead-letter envelope lives; -1 never expires (0 is refused by the app).')
param deadLetterTimeToLiveSeconds int = -1

@minValue(-1)
@description('Notifications__OutboxTimeToLiveSeconds: seconds a notification waits in the outbox; -1 never expires (0 is refused by the app).')
param outboxTimeToLiveSeconds int = -1

@minValue(-1)
@description('Replay__WorkItemTimeToLiveSeconds: seconds a replayed message lives in the work queue; -1 never expires (0 is refused by the app).')
param replayWorkItemTimeToLiveSeconds int = -1

@minValue(1)
@maxValue(365)
@description('Days a deleted blob or container can be restored (blob and container soft delete).')
param softDeleteRetentionDays int = 7

@description('E-mail address told when messages are dead-lettered. Empty: the alert fires in the portal only.')
param alertEmail string = ''

@allowed([
  'Enabled'
  'Disabled'
])
@description('Whether the storage account answers on its public endpoints; Disabled needs vnetEnabled, or nothing reaches it.')
param storagePublicNetworkAccess string = 'Enabled'

@description('A virtual network: the app in a delegated subnet, reaching blob and queue storage through private endpoints.')
param vnetEnabled bool = false

var tags = {
  'azd-env-name': environmentName
}

resource group 'Microsoft.Resources/resourceGroups@2025-04-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}

module app 'app.bicep' = {
  name: 'app'
  scope: group
  params: {
    location: location
    tags: tags
    resourceToken: toLower(uniqueString(subscription().id, environmentName, location))
    principalId: principalId
    principalType: principalType
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
    alwaysReadyHttpInstances: alwaysReadyHttpInstances
    alwaysReadyQueueInstances: alwaysReadyQueueInstances
    expireBlobsAfterDays: expireBlobsAfterDays
    workItemsQueueName: workItemsQueueName
    deadLetterQueueName: deadLetterQueueName
    deadLetterContainerName: deadLetterContainerName
    maxMessageBytes: maxMessageBytes
    reportsContainerName: reportsContainerName
    outboxQueueName: outboxQueueName
    sentKeysContainerName: sentKeysContainerName
    replayTimeBudgetSeconds: replayTimeBudgetSeconds
    replayParallelism: replayParallelism
    deadLetterTimeToLiveSeconds: deadLetterTimeToLiveSeconds
    outboxTimeToLiveSeconds: outboxTimeToLiveSeconds
    replayWorkItemTimeToLiveSeconds: replayWorkItemTimeToLiveSeconds
    softDeleteRetentionDays: softDeleteRetentionDays
    alertEmail: alertEmail
    storagePublicNetworkAccess: storagePublicNetworkAccess
    vnetEnabled: vnetEnabled
  }
}

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = group.name
output AZURE_FUNCTION_APP_NAME string = app.outputs.functionAppName
output AZURE_STORAGE_ACCOUNT_NAME string = app.outputs.storageAccountName
output AZURE_STORAGE_QUEUE_ENDPOINT string = app.outputs.queueEndpoint
output AZURE_STORAGE_BLOB_ENDPOINT string = app.outputs.blobEndpoint

// The resources of one environment, in its resource group; main.bicep explains the parameters.
param location string
param tags { *: string }

@description('uniqueString() of the subscription, environment and location: makes the names unique.')
@minLength(13)
@maxLength(13)
param resourceToken string

param principalId string
param principalType string
param instanceMemoryMB int
param maximumInstanceCount int
param alwaysReadyHttpInstances int
param alwaysReadyQueueInstances int
param expireBlobsAfterDays int
param workItemsQueueName string
param deadLetterQueueName string
param deadLetterContainerName string
param maxMessageBytes int
param reportsContainerName string
param outboxQueueName string
param sentKeysContainerName string
param replayTimeBudgetSeconds int
param replayParallelism int
param deadLetterTimeToLiveSeconds int
param outboxTimeToLiveSeconds int
param replayWorkItemTimeToLiveSeconds int
param softDeleteRetentionDays int
param alertEmail string
param storagePublicNetworkAccess string
param vnetEnabled bool

// The queue function's name in FunctionsApp/Functions/ProcessWorkItemFunction.cs: Flex Consumption
// scales each non-HTTP function on its own, and keeps instances ready per function.
var queueFunctionName = 'ProcessWorkItem'

// The blob container the platform deploys the app's package from.
var deploymentContainerName = 'app-package'

// The Functions host's own containers in AzureWebJobsStorage: its locks (the host id lease,
// singletons) and its keys (the function key ReplayDeadLetters needs). Created here because the
// identity may not create containers (its roles are on single containers, below).
var hostContainerNames = [
  'azure-webjobs-hosts'
  'azure-webjobs-secrets'
]

// Where the queue trigger moves a message that failed maxDequeueCount (host.json) times: the
// dead-letter queue by default, but the trigger uses it whatever Dispatch__DeadLetterQueueName says.
var poisonQueueName = '${workItemsQueueName}-poison'

// The sets keep one of each name.
var appContainerNames = union([reportsContainerName, deadLetterContainerName, sentKeysContainerName], [])
var containerNames = union(appContainerNames, [deploymentContainerName], hostContainerNames)
var queueNames = union([workItemsQueueName, poisonQueueName, deadLetterQueueName, outboxQueueName], [])

// Queues the app reads from as well as writes to: the trigger's queue and the two it parks
// messages in (replay reads and deletes them). The outbox is only ever written.
var consumedQueueNames = union([workItemsQueueName, poisonQueueName, deadLetterQueueName], [])

// Built-in role definition ids (the same in every tenant).
var roles = {
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
  storageBlobDataReader: '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1'
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  storageQueueDataReader: '19e7f393-937e-4f77-808e-94535e297925'
  storageQueueDataMessageSender: 'c6a89b2d-59bc-44d0-9896-0f6e12d7b80a'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
}

// The app's identity: created before the app, so its roles are in place when the app first starts.
resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: 'id-${resourceToken}'
  location: location
  tags: tags
}

resource storage 'Microsoft.Storage/storageAccounts@2025-01-01' = {
  name: 'st${resourceToken}'
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    // No keys and no SAS signed with them: every caller signs in with Microsoft Entra ID, so a
    // leaked connection string cannot exist.
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    // No anonymous reads of any container, whatever a container's own setting says.
    allowBlobPublicAccess: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    allowCrossTenantReplication: false
    // 'Disabled' closes the public endpoints: then only the private endpoints of vnetEnabled
    // reach the account (README "Network").
    publicNetworkAccess: storagePublicNetworkAccess
  }

  resource blobs 'blobServices' = {
    name: 'default'
    properties: {
      // A deleted blob or container, deleted by a bug or by someone holding the identity, can be
      // restored for this many days (queues have no such thing in Azure).
      deleteRetentionPolicy: {
        enabled: true
        days: softDeleteRetentionDays
      }
      containerDeleteRetentionPolicy: {
        enabled: true
        days: softDeleteRetentionDays
      }
    }

    resource containers 'containers' = [for name in containerNames: {
      name: name
      properties: {
        publicAccess: 'None'
      }
    }]
  }

  resource queueService 'queueServices' = {
    name: 'default'

    resource queues 'queues' = [for name in queueNames: {
      name: name
    }]
  }

  // Idempotency keys are only needed while duplicates can still arrive, and would otherwise grow
  // for ever. Dead-lettered bodies are not expired: an envelope never expires, and a body deleted
  // before its envelope is replayed could not be replayed.
  resource lifecycle 'managementPolicies' = {
    name: 'default'
    properties: {
      policy: {
        rules: [
          {
            name: 'expire-notification-keys'
            enabled: true
            type: 'Lifecycle'
            definition: {
              filters: {
                blobTypes: [
                  'blockBlob'
                ]
                prefixMatch: [
                  '${sentKeysContainerName}/'
                ]
              }
              actions: {
                baseBlob: {
                  delete: {
                    daysAfterModificationGreaterThan: expireBlobsAfterDays
                  }
                }
              }
            }
          }
        ]
      }
    }
  }
}

resource logs 'Microsoft.OperationalInsights/workspaces@2025-02-01' = {
  name: 'log-${resourceToken}'
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: 30
    // Queries and ingestion with an Entra token only, not with the workspace's shared keys.
    features: {
      disableLocalAuth: true
    }
  }
}

// Who wrote or deleted which blob, queue or message, and when: the storage logs of the two services
// the app uses, kept in the workspace (StorageBlobLogs, StorageQueueLogs). Reads are left out:
// every poll of the queue trigger is one.
var storageWritesAndDeletes = [
  {
    category: 'StorageWrite'
    enabled: true
  }
  {
    category: 'StorageDelete'
    enabled: true
  }
]

// 2021-05-01-preview is the newest version of this type. The linter's rule asks for 2016-09-01
// instead, an older schema whose only setting name is 'service', which bicep build then rejects.
#disable-next-line use-recent-api-versions
resource blobLogs 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'writes-and-deletes'
  scope: storage::blobs
  properties: {
    workspaceId: logs.id
    logs: storageWritesAndDeletes
  }
}

#disable-next-line use-recent-api-versions
resource queueLogs 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'writes-and-deletes'
  scope: storage::queueService
  properties: {
    workspaceId: logs.id
    logs: storageWritesAndDeletes
  }
}

resource insights 'Microsoft.Insights/components@2020-02-02' = {
  name: 'appi-${resourceToken}'
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logs.id
    // Telemetry is accepted only with an Entra token (the app's identity, see below), not with
    // the instrumentation key alone that the connection string carries.
    DisableLocalAuth: true
  }
}

// Who is told when the alert below fires: the address of main.bicep's alertEmail. Without one
// there is no action group, and the alert shows in the portal only.
resource alertRecipients 'Microsoft.Insights/actionGroups@2023-01-01' = if (!empty(alertEmail)) {
  name: 'ag-dead-letters-${resourceToken}'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'deadletters'
    enabled: true
    emailReceivers: [
      {
        name: 'dead-letter-mail'
        emailAddress: alertEmail
        useCommonAlertSchema: true
      }
    ]
  }
}

// A dead letter is a message that will not succeed without a person, so any one is worth an
// alert (the README's Monitoring section). The metric name is the app's (AppMetrics.Names).
resource deadLetterAlert 'Microsoft.Insights/scheduledQueryRules@2026-03-01' = {
  name: 'alert-dead-letters-${resourceToken}'
  location: location
  tags: tags
  properties: {
    displayName: 'FunctionsApp: messages dead-lettered'
    description: 'Messages were parked in the dead-letter queue in the last 15 minutes (metric functionsapp.messages.dead_lettered, by reason). Read them, fix the cause, then replay.'
    severity: 2
    enabled: true
    scopes: [
      insights.id
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    autoMitigate: true
    actions: {
      actionGroups: empty(alertEmail) ? [] : [
        alertRecipients.id
      ]
    }
    criteria: {
      allOf: [
        {
          query: 'customMetrics | where name == "functionsapp.messages.dead_lettered"'
          timeAggregation: 'Total'
          metricMeasureColumn: 'valueSum'
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
  }
}

resource plan 'Microsoft.Web/serverfarms@2025-03-01' = {
  name: 'plan-${resourceToken}'
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    tier: 'FlexConsumption'
    name: 'FC1'
  }
  properties: {
    reserved: true
  }
}

resource functionApp 'Microsoft.Web/sites@2025-03-01' = {
  name: 'func-${resourceToken}'
  location: location
  // azd finds the app to deploy service "app" (azure.yaml) by this tag.
  tags: union(tags, {
    'azd-service-name': 'app'
  })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identity.id}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    // With vnetEnabled the app's outbound traffic, storage included, leaves from the delegated subnet.
    virtualNetworkSubnetId: vnetEnabled ? network!.outputs.appSubnetId : null
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      appSettings: [
        // AzureWebJobsStorage, identity-based: the host, the queue trigger and the app's own
        // clients (FunctionsApp/Storage/StorageConnection.cs) all read these.
        {
          name: 'AzureWebJobsStorage__blobServiceUri'
          value: storage.properties.primaryEndpoints.blob
        }
        {
          name: 'AzureWebJobsStorage__queueServiceUri'
          value: storage.properties.primaryEndpoints.queue
        }
        {
          name: 'AzureWebJobsStorage__credential'
          value: 'managedidentity'
        }
        {
          name: 'AzureWebJobsStorage__clientId'
          value: identity.properties.clientId
        }
        {
          name: 'APPLICATIONINSIGHTS_CONNECTION_STRING'
          value: insights.properties.ConnectionString
        }
        {
          name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING'
          value: 'ClientId=${identity.properties.clientId};Authorization=AAD'
        }
        {
          name: 'WorkItemsQueueName'
          value: workItemsQueueName
        }
        {
          name: 'Dispatch__DeadLetterQueueName'
          value: deadLetterQueueName
        }
        {
          name: 'Dispatch__DeadLetterContainerName'
          value: deadLetterContainerName
        }
        {
          name: 'Dispatch__MaxMessageBytes'
          value: string(maxMessageBytes)
        }
        {
          name: 'Reports__ContainerName'
          value: reportsContainerName
        }
        {
          name: 'Notifications__OutboxQueueName'
          value: outboxQueueName
        }
        {
          name: 'Notifications__SentKeysContainerName'
          value: sentKeysContainerName
        }
        {
          name: 'Replay__TimeBudgetSeconds'
          value: string(replayTimeBudgetSeconds)
        }
        {
          name: 'Replay__Parallelism'
          value: string(replayParallelism)
        }
        {
          name: 'Dispatch__DeadLetterTimeToLiveSeconds'
          value: string(deadLetterTimeToLiveSeconds)
        }
        {
          name: 'Notifications__OutboxTimeToLiveSeconds'
          value: string(outboxTimeToLiveSeconds)
        }
        {
          name: 'Replay__WorkItemTimeToLiveSeconds'
          value: string(replayWorkItemTimeToLiveSeconds)
        }
      ]
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identity.id
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
        alwaysReady: concat(
          alwaysReadyHttpInstances > 0 ? [{ name: 'http', instanceCount: alwaysReadyHttpInstances }] : [],
          alwaysReadyQueueInstances > 0 ? [{ name: 'function:${queueFunctionName}', instanceCount: alwaysReadyQueueInstances }] : []
        )
      }
      runtime: {
        name: 'dotnet-isolated'
        version: '10.0'
      }
    }
  }
  dependsOn: [
    // The first start reads storage as the identity: its roles first.
    identityContainerRoles
    identityQueueRoles
  ]
}

module network 'network.bicep' = if (vnetEnabled) {
  name: 'network'
  params: {
    location: location
    tags: tags
    resourceToken: resourceToken
    storageAccountId: storage.id
  }
}

// Deployments sign in with Entra ID (azd, Core Tools); no publishing user names and passwords.
resource scmBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2025-03-01' = {
  parent: functionApp
  name: 'scm'
  properties: {
    allow: false
  }
}

resource ftpBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2025-03-01' = {
  parent: functionApp
  name: 'ftp'
  properties: {
    allow: false
  }
}

// Storage roles, each on one container or one queue, never on the account: the identity cannot
// list, create or delete containers and queues, nor touch one not named here (docs/deployment.md
// says who needs which, and why). Blob Data Contributor, not Owner: Owner adds only the ACL and
// ownership rights of accounts with a hierarchical namespace, which this one has not.
resource identityContainerRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for (name, i) in containerNames: {
  name: guid(storage::blobs::containers[i].id, identity.id, roles.storageBlobDataContributor)
  scope: storage::blobs::containers[i]
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataContributor)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}]

// The work queue: the trigger reads and deletes, the scale controller reads its length, replay
// writes to it. The poison and dead-letter queues: the trigger and the dispatcher write, replay
// reads and deletes. The outbox: written only, so Message Sender (no reading, no deleting).
resource identityQueueRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for (name, i) in queueNames: {
  name: guid(storage::queueService::queues[i].id, identity.id, contains(consumedQueueNames, name) ? roles.storageQueueDataContributor : roles.storageQueueDataMessageSender)
  scope: storage::queueService::queues[i]
  properties: {
    roleDefinitionId: subscriptionResourceId(
      'Microsoft.Authorization/roleDefinitions',
      contains(consumedQueueNames, name) ? roles.storageQueueDataContributor : roles.storageQueueDataMessageSender
    )
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}]

// Telemetry with local authentication off is accepted only from a principal with this role.
resource identityMetricsPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(insights.id, identity.id, roles.monitoringMetricsPublisher)
  scope: insights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.monitoringMetricsPublisher)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// The person (or pipeline) running azd can enqueue work items and read what the app wrote: it
// may not delete a report, a dead letter or a message it did not send, nor touch the host's
// containers or the package.
resource userContainerReaders 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for (name, i) in containerNames: if (!empty(principalId) && contains(appContainerNames, name)) {
  name: guid(storage::blobs::containers[i].id, principalId, roles.storageBlobDataReader)
  scope: storage::blobs::containers[i]
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataReader)
    principalId: principalId
    principalType: principalType
  }
}]

// Contributor on the work queue (send, peek, and clear a test run); Reader on the others (peek).
resource userQueueRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for (name, i) in queueNames: if (!empty(principalId)) {
  name: guid(storage::queueService::queues[i].id, principalId, name == workItemsQueueName ? roles.storageQueueDataContributor : roles.storageQueueDataReader)
  scope: storage::queueService::queues[i]
  properties: {
    roleDefinitionId: subscriptionResourceId(
      'Microsoft.Authorization/roleDefinitions',
      name == workItemsQueueName ? roles.storageQueueDataContributor : roles.storageQueueDataReader
    )
    principalId: principalId
    principalType: principalType
  }
}]

output functionAppName string = functionApp.name
output storageAccountName string = storage.name
output blobEndpoint string = storage.properties.primaryEndpoints.blob
output queueEndpoint string = storage.properties.primaryEndpoints.queue

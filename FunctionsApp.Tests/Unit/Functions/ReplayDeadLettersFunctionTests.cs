using System.Net;
using FunctionsApp.Functions;
using FunctionsApp.Replay;
using Moq;

namespace FunctionsApp.Tests.Unit.Functions;

public sealed class ReplayDeadLettersFunctionTests
{
    private readonly Mock<IDeadLetterReplayer> replayer = new(MockBehavior.Strict);

    private async Task<TestHttpResponse> Post(string query)
    {
        var request = TestHttpRequest.Create("POST", "http://localhost:7071/api/dead-letters/replay" + query);
        return await TestHttpResponse.ExecuteAsync(await new ReplayDeadLettersFunction(replayer.Object).Run(request, CancellationToken.None), request);
    }

    [Fact]
    public async Task Run_NoQuery_ReplaysEveryReasonUpToTheDefaultAndReportsCounts()
    {
        replayer.Setup(r => r.ReplayAsync(null, ReplayDeadLettersFunction.DefaultMax, It.IsAny<CancellationToken>()))
            .ReturnsAsync(new ReplayReport(3, 1, 0, 40, new Dictionary<string, int> { ["unknown_action"] = 2, ["retries_exhausted"] = 1 },
                2, new Dictionary<string, int> { ["body_blob_missing"] = 2 }));

        var response = await Post("");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = TestHttpResponse.ReadJson(response);
        Assert.Equal(3, json.GetProperty("moved").GetInt32());
        Assert.Equal(1, json.GetProperty("kept").GetInt32());
        Assert.Equal(40, json.GetProperty("remaining").GetInt32());
        Assert.Equal(2, json.GetProperty("moved_by_reason").GetProperty("unknown_action").GetInt32());
        Assert.Equal(2, json.GetProperty("failed").GetInt32());
        Assert.Equal(2, json.GetProperty("failed_by_reason").GetProperty("body_blob_missing").GetInt32());
    }

    [Fact]
    public async Task Run_ReasonAndMax_ArePassedToTheReplayer()
    {
        replayer.Setup(r => r.ReplayAsync("retries_exhausted", 25, It.IsAny<CancellationToken>()))
            .ReturnsAsync(new ReplayReport(0, 0, 0, 0, new Dictionary<string, int>(), 0, new Dictionary<string, int>()));

        var response = await Post("?reason=retries_exhausted&max=25");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        replayer.Verify(r => r.ReplayAsync("retries_exhausted", 25, It.IsAny<CancellationToken>()), Times.Once);
    }

    [Theory]
    [InlineData("?reason=Unknown-Action", "invalid_reason")]
    [InlineData("?reason=", "invalid_reason")]
    [InlineData("?reason=made_up", "invalid_reason")]
    [InlineData("?reason=unrecognized", "invalid_reason")]
    [InlineData("?max=0", "invalid_max")]
    [InlineData("?max=10001", "invalid_max")]
    [InlineData("?max=ten", "invalid_max")]
    [InlineData("?max=-5", "invalid_max")]
    public async Task Run_BadQuery_Answers400AndReplaysNothing(string query, string error)
    {
        var response = await Post(query);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(error, TestHttpResponse.ReadJson(response).GetProperty("error").GetString());
        replayer.VerifyNoOtherCalls();
    }
}

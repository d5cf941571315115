global using TinyOp = HvoLab.Engine.Tests.ProgramOp<HvoLab.Engine.Tests.TinyStep>;
global using TinyProgram = HvoLab.Engine.Tests.SmallProgram<HvoLab.Engine.Tests.TinyStep>;
global using ArmOp = HvoLab.Engine.Tests.ProgramOp<HvoLab.Engine.Tests.ArmStep>;
global using ArmProgram = HvoLab.Engine.Tests.SmallProgram<HvoLab.Engine.Tests.ArmStep>;
